import * as vscode from 'vscode';
import { clockTime, formatDuration, procedureLensText, runOutcomeText } from '../views/format';
import type { RunData } from './runData';

const OPEN = 'instrumentFirst.openTrace';

/** Escapes text from spans for Markdown: it is shown as text, never interpreted. */
export function mdText(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function openLink(traceId: string, procedureId?: string): string {
  const args = encodeURIComponent(JSON.stringify(procedureId ? [traceId, procedureId] : [traceId]));
  return `[${traceId}](command:${OPEN}?${args} "Open trace")`;
}

/** Hover over a procedure or plan declaration: its recent runs, with durations, status and trace ids. */
export class ProcedureHover implements vscode.HoverProvider, vscode.Disposable {
  private readonly registration = vscode.languages.registerHoverProvider(
    [
      { scheme: 'file', language: 'typescript' },
      { scheme: 'file', language: 'javascript' },
    ],
    this,
  );

  constructor(private readonly data: RunData) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const model = this.data.documentModel(doc);
    if (!model) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [OPEN] };
    md.supportHtml = false;
    const line = pos.line;
    const proc = model.procedures.find((p) => p.procedure.line === line && p.stats);
    if (proc?.stats) {
      const s = proc.stats;
      md.appendMarkdown(`**${mdText(s.procedureId)}** \`${mdText(s.procedureType)}\` — ${mdText(procedureLensText(s))}\n\n`);
      md.appendMarkdown(`p50 ${formatDuration(s.p50Ms)} · p95 ${formatDuration(s.p95Ms)} · ${s.count} spans in ${s.runs} runs\n\n`);
      md.appendMarkdown('| started | duration | status | trace |\n|---|---:|---|---|\n');
      for (const r of s.recent.slice(0, 10)) {
        md.appendMarkdown(`| ${clockTime(r.startMs)} | ${formatDuration(r.durationMs)} | ${r.status === 'error' ? '$(error) error' : 'ok'} | ${openLink(r.traceId, s.procedureId)} |\n`);
      }
      return new vscode.Hover(md, doc.lineAt(line).range);
    }
    const plan = model.plans.find((p) => p.plan.line === line && p.run) ?? model.planClasses.find((p) => p.planClass.line === line && p.run);
    if (plan?.run) {
      const r = plan.run;
      md.appendMarkdown(`**plan ${mdText(r.plan)}** — ${mdText(runOutcomeText(r))}\n\n`);
      md.appendMarkdown(`started ${clockTime(r.startMs)} · ${r.spanCount} spans · trace ${openLink(r.traceId)}\n\n`);
      const others = this.data.runs().filter((x) => x.plan === r.plan && x.traceId !== r.traceId).slice(0, 9);
      if (others.length) {
        md.appendMarkdown('| started | outcome | trace |\n|---|---|---|\n');
        for (const o of others) md.appendMarkdown(`| ${clockTime(o.startMs)} | ${mdText(runOutcomeText(o))} | ${openLink(o.traceId)} |\n`);
      }
      return new vscode.Hover(md, doc.lineAt(line).range);
    }
    return undefined;
  }

  dispose(): void {
    this.registration.dispose();
  }
}
