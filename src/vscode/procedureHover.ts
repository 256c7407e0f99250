import * as vscode from 'vscode';
import { formatDuration } from '../text/duration';
import { clockTime, procedureLensText, runOutcomeText, type ProcedureStatsLike } from '../views/format';
import { callLines, callLineText, comparableFigures, procedureAtLine } from '../views/procedureHoverModel';
import { callCountsOf } from '../summary/procedureStats';
import { isDebugRun, runTitle, sameRunKey } from '../views/runIdentity';
import type { CollectorHost } from './collectorHost';
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

/** Hover over a procedure (class, id string, do()) or a plan: recent runs, comparable figures, calls. */
export class ProcedureHover implements vscode.HoverProvider, vscode.Disposable {
  private readonly registration = vscode.languages.registerHoverProvider(
    [
      { scheme: 'file', language: 'typescript' },
      { scheme: 'file', language: 'javascript' },
    ],
    this,
  );

  constructor(
    private readonly data: RunData,
    private readonly collector: CollectorHost,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const model = this.data.documentModel(doc);
    if (!model) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [OPEN] };
    md.supportHtml = false;
    const line = pos.line;
    const lines = Array.from({ length: Math.min(doc.lineCount, line + 1) }, (_, i) => doc.lineAt(i).text);
    const proc = procedureAtLine(
      model.procedures.map((p) => ({ ...p, line: p.procedure.line })),
      lines,
      line,
    );
    if (proc) {
      const s = proc.stats;
      const name = proc.procedure.id ?? proc.procedure.key;
      if (!s) {
        md.appendMarkdown(`**${mdText(name)}** — not run yet. Run a plan that uses it to see its durations and calls here.`);
        return new vscode.Hover(md, doc.lineAt(line).range);
      }
      this.procedureHover(md, s);
      return new vscode.Hover(md, doc.lineAt(line).range);
    }
    const plan = model.plans.find((p) => p.plan.line === line && p.run) ?? model.planClasses.find((p) => p.planClass.line === line && p.run);
    if (plan?.run) {
      const r = plan.run;
      md.appendMarkdown(`**plan ${mdText(runTitle(r))}** — ${mdText(runOutcomeText(r))}\n\n`);
      md.appendMarkdown(`started ${clockTime(r.startMs)} · ${r.spanCount} spans · trace ${openLink(r.traceId)}\n\n`);
      const others = this.data.runs().filter((x) => sameRunKey(x, r) && x.traceId !== r.traceId).slice(0, 9);
      if (others.length) {
        md.appendMarkdown('| started | outcome | trace |\n|---|---|---|\n');
        for (const o of others) md.appendMarkdown(`| ${clockTime(o.startMs)} | ${mdText(`${isDebugRun(o) ? 'debug · ' : ''}${runOutcomeText(o)}`)} | ${openLink(o.traceId)} |\n`);
      }
      return new vscode.Hover(md, doc.lineAt(line).range);
    }
    return undefined;
  }

  /** Last run, p50/p95 over comparable runs, errors, calls per service with their usual count. */
  private procedureHover(md: vscode.MarkdownString, s: ProcedureStatsLike): void {
    const runs = new Map(this.data.runs().map((r) => [r.traceId, r]));
    const f = comparableFigures(s, runs);
    const last = s.recent[0];
    md.appendMarkdown(`**${mdText(s.procedureId)}** \`${mdText(s.procedureType)}\` — ${mdText(procedureLensText(s))}\n\n`);
    if (f.last && last) {
      md.appendMarkdown(`last run: ${mdText(runTitle(f.last))} at ${clockTime(f.last.startMs)}, ${formatDuration(last.durationMs)}${last.status === 'error' ? ' · $(error) error' : ''} · ${openLink(last.traceId, s.procedureId)}\n\n`);
      md.appendMarkdown(`p50 ${formatDuration(f.p50Ms)} · p95 ${formatDuration(f.p95Ms)} over ${f.traceIds.length} comparable run${f.traceIds.length === 1 ? '' : 's'} (same plan and export)${f.errorRuns ? ` · errors in ${f.errorRuns}` : ''}\n\n`);
    }
    if (f.traceIds.length) {
      // The calls of at most 10 comparable runs, from their summaries (computed once per run).
      const [newest, ...earlier] = f.traceIds.slice(0, 10).map((id) => {
        const summary = this.data.summary(id);
        return summary ? callCountsOf(summary, s.procedureId) : new Map<string, number>();
      });
      const lines = callLines(newest!, earlier);
      if (lines.length) md.appendMarkdown(`calls in the last run: ${lines.map((l) => mdText(callLineText(l))).join(' · ')}\n\n`);
    }
    md.appendMarkdown('| started | duration | status | trace |\n|---|---:|---|---|\n');
    for (const r of s.recent.slice(0, 8)) {
      const run = runs.get(r.traceId);
      md.appendMarkdown(`| ${clockTime(r.startMs)} | ${formatDuration(r.durationMs)} | ${r.status === 'error' ? '$(error) error' : 'ok'} | ${openLink(r.traceId, s.procedureId)}${run && run.exportName && run.exportName !== 'default' ? ` ${mdText(run.exportName)}` : ''} |\n`);
    }
  }

  dispose(): void {
    this.registration.dispose();
  }
}
