import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { closeAllEditors, codeLenses, openFile, waitFor, waitForCodeLens, workspaceUri } from './helpers';
import { suite, suiteSetup, suiteTeardown, test } from './harness';
import { postRun, syntheticRun } from './otlpLoad';
import { DEFAULT_SETTINGS } from '../../../src/views/settings';
import { fastSamples, finishedRun, lineOfText, services } from './planRuns';
import type { PlanSession, StartMark } from '../../../src/vscode/planSessions';

// Measurements of the extension's goals, logged (not asserted as timings): Run → first step (the
// first run of the window, then warm), activation work, CodeLens refresh after a 2,000-span run,
// event-loop delay while the collector ingests 50k spans/s.

/** The stages of a run's start, in order, with the name each interval is printed under. */
const STAGES: Array<[StartMark, string]> = [
  ['resolve', 'to provider'],
  ['collector', 'collector'],
  ['resolved', 'resolve'],
  ['adapter', 'to adapter'],
  ['spawned', 'spawn'],
];

/**
 * Run (the runner's call) → the first step executing (create() logs "planned" right before it, its
 * line arriving in the Debug Console), split into the stages of the start. Cold: the first run of
 * this window (the plan open, its Run lens shown, as a user clicks it). With
 * HOST_TEST_GREP=measurements this suite runs first; in the full suite other suites ran plans before.
 */
suite('measurements: Run → first step executing, the first run of the window and warm', () => {
  const outputs: Array<{ session: vscode.DebugSession; text: string; at: number }> = [];
  let tracker: vscode.Disposable | undefined;

  suiteSetup(() => {
    fastSamples();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('*', {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { output?: string } }) => {
          if (m.type === 'event' && m.event === 'output' && typeof m.body?.output === 'string') outputs.push({ session, text: m.body.output, at: Date.now() });
        },
      }),
    });
  });

  suiteTeardown(async () => {
    tracker?.dispose();
    await closeAllEditors();
  });

  test('[measure] Run → first step: cold, then 3 warm runs, each split into its stages', async () => {
    const s = await services();
    // Nothing ran in this window before: no plan session printed a trace id.
    const first = s.sessions.recentTraceIds().length === 0;
    const collectorBefore = s.collector.running;
    const uri = workspaceUri('plans/create-cluster.ts');
    await openFile('plans/create-cluster.ts');
    await waitForCodeLens(uri, /Run/, { message: 'the Run lens', timeout: 60_000 });
    const lines: string[] = [];
    const totals: number[] = [];
    let warmedUp = '';
    // Which debug extensions were already active when Run was pressed (the first Run activates those VS Code needs).
    const debugExtensions = ['vscode.debug-server-ready', 'ms-vscode.js-debug', 'vscode.debug-auto-launch'];
    const activeAtRun = debugExtensions.filter((id) => vscode.extensions.getExtension(id)?.isActive).join(', ') || 'none';
    for (let round = 0; round < 4; round++) {
      // The reference of this moment: one extension host → workbench → extension host round trip
      // (VS Code's wait before our provider is a few of them; on 2 shared cores each can take 10–500 ms).
      const trip = await renderRoundTrip();
      const loop = monitorEventLoopDelay({ resolution: 10 });
      const before = outputs.length;
      loop.enable();
      const t0 = Date.now();
      if (round === 0) {
        // The background warm-up (collector, plans compiled into the runner's cache) as it stood when Run was pressed.
        const w = s.warmUp.lastWarmUp;
        warmedUp = w ? `plans compiled ahead ${t0 - w.atEpochMs} ms before Run (${w.compiled} compiled, ${w.cached} cached)` : 'no warm-up finished before Run';
      }
      const ps = await s.runner.run({ uri, exportName: 'default' }, false);
      assert.ok(ps, 'the run started');
      const mine = (o: { session: vscode.DebugSession }) => o.session === ps.session;
      const planned = await waitFor(() => outputs.slice(before).find((o) => mine(o) && o.text.includes('planned')), { timeout: 60_000, message: 'the planned log line' });
      loop.disable();
      await waitFor(() => ps.ended, { timeout: 120_000, message: 'the run to end' });
      const run = await finishedRun(s, ps);
      totals.push(planned.at - t0);
      const toProvider = (ps.marks.resolve ?? t0) - t0;
      lines.push(
        `${round === 0 ? (first ? 'cold' : 'first of this suite (not cold: plans ran before)') : `warm ${round}`} ${planned.at - t0} ms = ${stagesOf(ps, t0, run.startMs, planned.at)}` +
          ` (round trip before Run ${trip.toFixed(0)} ms: to provider = ${(toProvider / Math.max(trip, 1)).toFixed(1)} of them; extension host event-loop delay max ${(loop.max / 1e6).toFixed(0)} ms)`,
      );
    }
    console.log(
      `    [measure] Run → first step executing (goal ≤ 1000 ms; collector running when the plan was opened: ${collectorBefore ? 'yes' : 'no'}; ${warmedUp}; debug extensions active at the first Run: ${activeAtRun}): ` +
        `${lines.join(' | ')}; warm median ${median(totals.slice(1))} ms`,
    );
  }, { timeout: 400_000 });
});

/** Median of three extension host → workbench → extension host round trips (a `setContext` command), in ms. */
async function renderRoundTrip(): Promise<number> {
  const trips: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await vscode.commands.executeCommand('setContext', 'instrumentFirst.test.roundTrip', i);
    trips.push(performance.now() - t);
  }
  return median(trips);
}

/** `to provider 12 + collector 0 + … + process → plan start 301 + plan start → first step line 40`. */
function stagesOf(ps: PlanSession, t0: number, planStartMs: number, plannedAt: number): string {
  const parts: string[] = [];
  let prev = t0;
  for (const [mark, name] of STAGES) {
    const at = ps.marks[mark];
    if (at === undefined) continue;
    parts.push(`${name} ${at - prev}`);
    prev = at;
  }
  // The runner's process: Node's start, the CLI bundle, the plan's transpile, up to the root span.
  parts.push(`process → plan start ${Math.round(planStartMs - prev)}`);
  parts.push(`→ first step line ${Math.round(plannedAt - planStartMs)}`);
  return parts.join(' + ');
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

suite('measurements: activation, CodeLens refresh, event loop under ingest', () => {
  let endpoint = '';
  const file = () => workspaceUri('plans/create-cluster.ts');

  suiteSetup(async () => {
    const s = await services();
    await s.collector.ensureStarted();
    endpoint = s.collector.endpoint!;
    await openFile('plans/create-cluster.ts');
  });

  suiteTeardown(async () => {
    // Leave no synthetic runs or open editors behind for the suites that follow.
    await closeAllEditors();
    const s = await services();
    const c = await s.collector.ensureStarted();
    for (const r of c.store.runs()) if (r.serviceName === 'bench' || r.serviceName === 'load') await c.deleteRun(r.traceId);
  });

  test('activation: the extension own work', async () => {
    const s = await services();
    const parts = [...s.metrics.activationParts].sort((a, b) => b[1] - a[1]).slice(0, 5);
    console.log(`    [measure] activation own work: ${s.metrics.activationMs.toFixed(2)} ms (goal ≤ 50 ms); slowest parts: ${parts.map(([n, ms]) => `${n} ${ms.toFixed(1)} ms`).join(', ')}`);
    assert.ok(s.metrics.activationMs >= 0);
  });

  test('CodeLens show a 2,000-span run: latency from its last batch to lenses with its figures', async () => {
    const s = await services();
    const doc = await vscode.workspace.openTextDocument(file());
    const planLine = lineOfText(doc, 'const createCluster: Plan');
    const samples: number[] = [];
    const compute: number[] = [];
    for (let round = 0; round < 5; round++) {
      const run = syntheticRun('create-cluster', 2000, file().fsPath, Date.now() + round);
      await postRun(endpoint, run.spans.slice(0, -1), 'bench');
      const t0 = performance.now();
      await postRun(endpoint, run.spans.slice(-1), 'bench');
      const tPosted = performance.now();
      for (;;) {
        const c0 = performance.now();
        const lenses = await codeLenses(file());
        const c1 = performance.now();
        const lens = lenses.find((l) => l.range.start.line === planLine && l.command?.arguments?.[0] === run.traceId);
        if (lens) {
          samples.push(c1 - t0);
          compute.push(c1 - c0);
          break;
        }
        if (performance.now() - t0 > 10_000) throw new Error('no CodeLens for the synthetic run within 10 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      assert.ok(s.collector.store?.run(run.traceId)?.spanCount === 2000);
      void tPosted;
    }
    const med = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
    console.log(
      `    [measure] CodeLens after a 2,000-span run completes: median ${med.toFixed(1)} ms, all ${samples.map((x) => x.toFixed(1)).join(' / ')} ms ` +
        `(one executeCodeLensProvider round trip: ${compute.map((x) => x.toFixed(1)).join(' / ')} ms; goal ≤ 50 ms); ` +
        `our provider's own time ${s.metrics.lastProvideMs.toFixed(1)} ms; store change → our provider answered ${s.metrics.lastCodeLensRefreshMs?.toFixed(1) ?? 'n/a'} ms`,
    );
  }, { timeout: 120_000 });

  test('[measure] plan end → final CodeLens: where the time goes (runtime export, store, summary, fire, VS Code asking)', async () => {
    const s = await services();
    await openFile('plans/create-cluster.ts');
    const samples: string[] = [];
    const totals: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ps = await s.runner.run({ uri: file(), exportName: 'default' }, false);
      assert.ok(ps);
      await waitFor(() => ps.ended, { timeout: 120_000, message: 'the run to end' });
      const run = await finishedRun(s, ps);
      const answer = await waitFor(() => s.metrics.codeLensAnswers.find((a) => a.traceIds.includes(run.traceId)), { timeout: 30_000, message: 'a CodeLens answer with the finished run' });
      const lensAt = answer.atEpochMs;
      const planEnd = run.startMs + run.durationMs;
      const entry = s.collector.store!.entry(run.traceId)!;
      // The store's clock is this process's performance.now().
      const storedAt = performance.timeOrigin + entry.lastActivityMs;
      const completedAt = s.metrics.completedAt.find((c) => c.traceId === run.traceId)?.atEpochMs ?? NaN;
      // The fire VS Code asked after. While a run is live one fire is kept pending (LensPacer), so
      // it usually went out before the data was final.
      const answered = answer.afterFireAt ?? NaN;
      const r = (x: number) => Math.round(x);
      totals.push(lensAt - planEnd);
      samples.push(
        `${r(lensAt - planEnd)} ms = runtime export + receive ${r(storedAt - planEnd)} ms, store → summary computed ${r(completedAt - storedAt)} ms, ` +
          `→ VS Code asked and our answer ${r(lensAt - completedAt)} ms (the fire it answered went out ${r(Math.abs(answered - completedAt))} ms ${answered <= completedAt ? 'before' : 'after'} the data was final; our provider ${s.metrics.lastProvideMs.toFixed(1)} ms)`,
      );
    }
    const med = [...totals].sort((a, b) => a - b)[1]!;
    console.log(
      `    [measure] plan end → final CodeLens: median ${Math.round(med)} ms (goal ≤ 250 ms; VS Code asks 375 ms after a fire in an extension under development, as here, ` +
        `max(250 ms, its average answer time) when installed: codelensController.ts, languageFeatureDebounce.ts); ${samples.join(' | ')}`,
    );
  }, { timeout: 400_000 });

  test('event-loop delay of the extension host while the collector ingests ~50k spans/s (decode workers: 0, then the default)', async () => {
    const s = await services();
    const config = vscode.workspace.getConfiguration('instrumentFirst');
    try {
      for (const workers of [0, DEFAULT_SETTINGS.collector.decodeWorkers]) {
        // The first measurement after start-up runs on a busier workbench: the default goes last.
        await config.update('collector.decodeWorkers', workers, vscode.ConfigurationTarget.Global);
        await waitFor(() => s.config.settings.collector.decodeWorkers === workers, { message: 'the setting to apply' });
        // The setting restarts the collector: measure the one running with it.
        await waitFor(() => s.collector.running, { message: 'the collector restarted' });
        const c = await s.collector.ensureStarted();
        s.collector.takeLongestWorkMs();
        const delay = await ingestDelay(c, c.endpoint);
        const own = s.collector.takeLongestWorkMs();
        console.log(
          `    [measure] ${delay}; ${s.config.settings.collector.decodeWorkers} decode worker(s); ` +
            `the extension's own longest piece of work meanwhile: receiving ${own.receiving.toFixed(1)} ms, store-change listeners ${own.listeners.toFixed(1)} ms`,
        );
      }
    } finally {
      await config.update('collector.decodeWorkers', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => s.config.settings.collector.decodeWorkers === DEFAULT_SETTINGS.collector.decodeWorkers, { message: 'the default setting back' });
      await s.collector.ensureStarted();
    }
  }, { timeout: 180_000 });
});

/**
 * Sends ~50k spans/s for 5 s from a child process and measures the event-loop delay meanwhile,
 * after a quiet second as the reference (the workbench keeps the extension host busy for a while
 * after start-up: up to 20 s are waited for it).
 */
async function ingestDelay(collector: { store: { stats(): { acceptedSpans: number } } }, endpoint: string): Promise<string> {
  let idle: IntervalHistogram;
  for (let waited = 0; ; waited++) {
    idle = monitorEventLoopDelay({ resolution: 10 });
    idle.enable();
    await new Promise((r) => setTimeout(r, 1000));
    idle.disable();
    if (idle.max / 1e6 < 30 || waited >= 20) break;
  }
  const before = collector.store.stats().acceptedSpans;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const child = fork(join(__dirname, 'otlpLoad.js'), [endpoint, '50000', '5'], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load generator exited ${code}: ${out}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  h.disable();
  const accepted = collector.store.stats().acceptedSpans - before;
  assert.ok(accepted > 0, 'spans were stored');
  return (
    `ingest ${Math.round(accepted / seconds).toLocaleString('en-US')} spans/s for ${seconds.toFixed(1)} s (${accepted} spans; generator: ${out.trim()}); ` +
    `event-loop delay max ${(h.max / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, mean ${(h.mean / 1e6).toFixed(1)} ms (goal: max ≤ 50 ms); ` +
    `idle reference (the last quiet second before, nothing sent): max ${(idle.max / 1e6).toFixed(1)} ms, p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms`
  );
}
