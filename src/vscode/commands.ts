import * as vscode from 'vscode';
import type { RunSummary } from '../protocol/collectorTypes';
import { clockTime, runLabel, runOutcomeText } from '../views/format';
import { isDebugRun, runTitle, sameRunKey } from '../views/runIdentity';
import { parseTraceIdInput } from '../views/traceIds';
import { INLINE_MODES, type InlineMode } from '../views/settings';
import { WALKTHROUGH_ID, type CommandId } from '../views/commandIds';
import type { RunsNode } from './runsView';
import type { Services } from './services';
import { setUpThisProject } from './setUpProject';
import { compareWithBaseline } from './testing/baselineCompare';

type Handler = (...args: unknown[]) => unknown;

/** Every command, by id; registered in one place ({@link registerCommands}). */
export const commandTable: Record<CommandId, (s: Services) => Handler> = {
  'instrumentFirst.runPlan': (s) => () => s.runner.pickAndRun(false),
  'instrumentFirst.debugPlan': (s) => () => s.runner.pickAndRun(true),
  'instrumentFirst.rerunLast': (s) => () => s.runner.rerunLast(),
  'instrumentFirst.stopPlan': (s) => () => s.runner.stop(),
  'instrumentFirst.runPlanAt': (s) => (uri, exportName) => s.runner.run({ uri: toUri(uri), exportName: str(exportName) ?? 'default' }, false),
  'instrumentFirst.debugPlanAt': (s) => (uri, exportName) => s.runner.run({ uri: toUri(uri), exportName: str(exportName) ?? 'default' }, true),
  'instrumentFirst.openTrace': (s) => async (arg, procedureId) => {
    const traceId = await traceIdOf(s, arg, 'Open Trace');
    if (traceId) await s.viewers.current.openTrace(traceId, str(procedureId));
    return traceId;
  },
  'instrumentFirst.openTraceById': (s) => async (text) => {
    const traceId = typeof text === 'string' ? parseTraceIdInput(text) : await askTraceId(s);
    if (!traceId) {
      if (typeof text === 'string') void vscode.window.showWarningMessage(`Instrument First: "${text.slice(0, 80)}" is not a trace id (32 hex digits, or 16 after trace_id:).`);
      return undefined;
    }
    await s.collector.ensureStarted();
    if (s.collector.store?.run(traceId)) {
      await s.viewers.current.openTrace(traceId);
      return traceId;
    }
    // Not local: the team's backends (instrumentFirst.backends), if any.
    if (s.remote.backends.length > 0) {
      const fetched = await s.remote.fetchInto(traceId);
      if (fetched) await s.viewers.current.openTrace(fetched);
      return fetched;
    }
    void vscode.window.showWarningMessage(`Instrument First: trace ${traceId} is not in the collector (evicted, deleted, or never received), and no backends are configured (instrumentFirst.backends).`);
    return traceId;
  },
  'instrumentFirst.showLogsWithoutTrace': (s) => (service) => s.runsView.showLogsWithoutTrace(str(service)),
  'instrumentFirst.importTraces': (s) => (arg, options) => s.imports.importFiles(arg, typeof options === 'object' && options ? (options as { open?: boolean }) : {}),
  'instrumentFirst.setBackendToken': (s) => (name, token) => s.remote.setToken(str(name), typeof token === 'string' ? token : undefined),
  'instrumentFirst.compareWithPrevious': (s) => async (arg) => {
    const traceId = await traceIdOf(s, arg, 'Compare with Previous Run');
    const runs = s.data.runs();
    const run = runs.find((r) => r.traceId === traceId);
    if (!run) return undefined;
    // The previous run of the same plan file and export; a plain run is compared with a plain run
    // (falling back to the plan's other exports: the good export against the faulty one).
    const before = runs.filter((r) => r.plan === run.plan && r.startMs < run.startMs && r.status !== 'running');
    const earlier = before.some((r) => sameRunKey(r, run)) ? before.filter((r) => sameRunKey(r, run)) : before;
    const previous = earlier.find((r) => isDebugRun(r) === isDebugRun(run)) ?? earlier[0];
    if (!previous) {
      void vscode.window.showInformationMessage(`Instrument First: no earlier run of ${runTitle(run)} to compare with.`);
      return undefined;
    }
    await s.viewers.current.compare(previous.traceId, run.traceId);
    return [previous.traceId, run.traceId];
  },
  'instrumentFirst.exportOtlp': (s) => async (arg, target) => {
    const traceId = await traceIdOf(s, arg, 'Export Run as OTLP JSON');
    const store = s.collector.store;
    if (!traceId || !store) return undefined;
    const run = store.run(traceId);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${(run ? runTitle(run) : 'trace').replace(/[^\w.-]+/g, '_')}-${traceId.slice(0, 8)}.otlp.json`;
    const uri = target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: { 'OTLP JSON': ['json'] } });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(store.exportOtlpJson(traceId)));
    if (!(target instanceof vscode.Uri)) void vscode.window.showInformationMessage(`Instrument First: exported trace ${traceId} to ${vscode.workspace.asRelativePath(uri)}.`);
    return uri;
  },
  'instrumentFirst.copyTraceId': (s) => async (arg) => {
    const traceId = await traceIdOf(s, arg, 'Copy Trace ID');
    if (traceId) await vscode.env.clipboard.writeText(traceId);
    return traceId;
  },
  'instrumentFirst.deleteRun': (s) => async (arg) => {
    const traceId = await traceIdOf(s, arg, 'Delete Run');
    const c = s.collector.running ? await s.collector.ensureStarted() : undefined;
    return traceId && c ? c.deleteRun(traceId) : false;
  },
  'instrumentFirst.deleteAllRuns': (s) => async (confirmed) => {
    const runs = s.data.runs().filter((r) => r.status !== 'running');
    if (!runs.length) return 0;
    if (confirmed !== true) {
      const ok = await vscode.window.showWarningMessage(`Delete all ${runs.length} finished runs (also from the persistence folder)?`, { modal: true }, 'Delete');
      if (ok !== 'Delete') return 0;
    }
    const c = await s.collector.ensureStarted();
    for (const r of runs) await c.deleteRun(r.traceId);
    return runs.length;
  },
  'instrumentFirst.showRuns': (s) => async () => {
    s.collector.warmUp();
    await vscode.commands.executeCommand('instrumentFirst.runs.focus');
  },
  'instrumentFirst.startCollector': (s) => async () => {
    await s.collector.ensureStarted();
    return s.collector.endpoint;
  },
  'instrumentFirst.copyEndpoint': (s) => async () => {
    await s.collector.ensureStarted();
    // With otlpProtocol grpc the user's programs are to send OTLP/gRPC: the HTTP endpoint would not answer them.
    const grpc = s.config.settings.collector.otlpProtocol === 'grpc' ? s.collector.grpcEndpoint : undefined;
    const endpoint = grpc ?? s.collector.endpoint ?? '';
    await vscode.env.clipboard.writeText(endpoint);
    void vscode.window.showInformationMessage(`Instrument First: ${grpc ? 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc, ' : ''}OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint} copied.`);
    return endpoint;
  },
  'instrumentFirst.refreshProcedures': (s) => () => s.proceduresView.refresh(),
  'instrumentFirst.toggleInlineMode': (s) => async (mode) => {
    let next = INLINE_MODES.includes(mode as InlineMode) ? (mode as InlineMode) : undefined;
    if (!next) {
      const current = s.config.settings.inline.mode;
      const pick = await vscode.window.showQuickPick(
        INLINE_MODES.map((m) => ({ label: m, description: m === current ? 'current' : undefined })),
        { title: 'Show span durations inline as' },
      );
      next = pick?.label;
    }
    if (next) await s.config.update('inline.mode', next);
    return next;
  },
  'instrumentFirst.timeline.openLastRun': (s) => (traceId) => timeline(s)?.openLastRun(traceId),
  'instrumentFirst.compareRuns': (s) => (a, b) => timeline(s)?.compareRuns(a, b),
  'instrumentFirst.timeline.goToSpanCode': (s) => (traceId, spanId) => timeline(s)?.goToSpanCode(traceId, spanId),
  'instrumentFirst.showCoverage': (s) => () => {
    if (s.slots.coverage) return s.slots.coverage.showCoverage();
    void vscode.window.showInformationMessage('Instrument First: coverage needs the instrumentation hints (`instrumentFirst.lint.enabled`).');
    return undefined;
  },
  'instrumentFirst.openWalkthrough': (s) => () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${s.extensionId}#${WALKTHROUGH_ID}`, false),
  'instrumentFirst.setUpProject': (s) => (folder) => setUpThisProject(s, folder),
  'instrumentFirst.goToProcedure': () => async (uri, line) => {
    const l = typeof line === 'number' ? line : 0;
    await vscode.window.showTextDocument(toUri(uri), { selection: new vscode.Range(l, 0, l, 0) });
  },
  // Baselines (src/vscode/testing/): record one for a plan file (and export), update one from fresh runs.
  'instrumentFirst.recordBaseline': (s) => async (uri, exportName) => {
    const plan = toUri(uri);
    const said = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Instrument First: recording a baseline (5 runs)…' }, () =>
      s.baselines.record(plan.fsPath, str(exportName) ?? 'default'),
    );
    s.log.info(said.trim());
    void vscode.window.showInformationMessage(`Instrument First: ${said.split('\n')[0]}`);
    return said;
  },
  'instrumentFirst.updateBaseline': (s) => async (arg) => {
    const file = typeof arg === 'string' ? arg : arg instanceof vscode.Uri ? arg.fsPath : isTestItem(arg) ? arg.id : vscode.window.activeTextEditor?.document.uri.fsPath;
    if (!file || !file.endsWith('.baseline.json')) {
      void vscode.window.showWarningMessage('Instrument First: open a .baseline.json file (or pick one in the Test Explorer) to update it.');
      return undefined;
    }
    const said = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Instrument First: updating the baseline…' }, () => s.baselines.update(file));
    s.log.info(said.trim());
    void vscode.window.showInformationMessage(`Instrument First: ${said.split('\n').slice(0, 3).join(' — ')}`);
    return said;
  },
  'instrumentFirst.compareWithBaseline': (s) => (...args) => compareWithBaseline(s, ...args),
};

function isTestItem(v: unknown): v is vscode.TestItem {
  return typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' && 'children' in v;
}

export function registerCommands(s: Services): vscode.Disposable {
  return vscode.Disposable.from(...Object.entries(commandTable).map(([id, make]) => vscode.commands.registerCommand(id, make(s))));
}

function timeline(s: Services): Services['slots']['timeline'] {
  if (!s.slots.timeline) void vscode.window.showInformationMessage('Instrument First: the timeline is not ready yet.');
  return s.slots.timeline;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function toUri(v: unknown): vscode.Uri {
  if (v instanceof vscode.Uri) return v;
  if (typeof v === 'string') return v.includes('://') || v.startsWith('file:') ? vscode.Uri.parse(v) : vscode.Uri.file(v);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active) return active;
  throw new Error('no plan file given');
}

/** A trace id from a command argument (id, Runs view node, run) or, when absent, a quick pick of runs. */
async function traceIdOf(s: Services, arg: unknown, title: string): Promise<string | undefined> {
  if (typeof arg === 'string') return parseTraceIdInput(arg);
  const node = arg as Partial<RunsNode> | Partial<RunSummary> | undefined;
  if (node && 'kind' in node && node.kind === 'run' && 'run' in node && node.run) return node.run.traceId;
  if (node && 'kind' in node && node.kind === 'span' && 'traceId' in node) return node.traceId;
  if (node && 'traceId' in node && typeof node.traceId === 'string') return node.traceId;
  await s.collector.ensureStarted();
  const runs = s.data.runs();
  if (!runs.length) {
    void vscode.window.showInformationMessage('Instrument First: no runs yet.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => {
      const { label, description } = runLabel(r);
      return { label, description: `${description} · ${clockTime(r.startMs)}`, detail: r.traceId, traceId: r.traceId };
    }),
    { title, placeHolder: 'Choose a run (plan · export, outcome, start time, trace id)', matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.traceId;
}

async function askTraceId(s: Services): Promise<string | undefined> {
  await s.collector.ensureStarted();
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { traceId: string }>();
  qp.title = 'Open Trace by ID';
  qp.placeholder = 'Paste a trace id (32 hex digits) or a traceparent, or pick one seen recently';
  const known = new Map(s.data.runs().map((r) => [r.traceId, r]));
  const seen = s.sessions.recentTraceIds();
  const ids = [...new Set([...seen, ...known.keys()])].slice(0, 100);
  qp.items = ids.map((id) => {
    const r = known.get(id);
    return { label: id, description: r ? `${runTitle(r)} · ${runOutcomeText(r)}` : 'printed by a run', traceId: id };
  });
  const result = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.traceId ?? parseTraceIdInput(qp.value)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return result;
}

