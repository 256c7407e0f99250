// Timeline batch benchmark (issue 12, goal "timeline batch of a stored 100,000-span trace ready to
// post in ≤ 50 ms"): a 100,000-span trace is stored (10 attributes a span; values unique per span,
// or repeating 20 per key as a plan run's kinds and names do), then:
//  - open: what the timeline panel posts when it opens a run — `store.batchSince(trace, undefined,
//    { summary: true })` and the `showRun` message around it. The first ask makes it
//    (`openFirstMs`; `openMs` is the median of making it again from the stored rows); a later ask of
//    the unchanged trace gets the batch the store kept (`openKeptMs`);
//  - on demand: a selected span's whole batch (`detailsMs`) and a `key=value` search over the
//    attributes the summary leaves out (`searchMs`), as the panel answers them;
//  - live: `store.batchSince(trace, cursor, { summary: true })` after 1,000 more spans arrived
//    (what it posts every 250 ms);
// each against references measured in the same run: the previous path (the batch with every
// attribute, what the panel posted before summaries: `previousPathMs`; for live, the filter of all
// span views by the ids already sent, then `encodeSpanBatch`) and a `structuredClone` of the
// message (what posting it costs at least). Times are also taken as CPU time of the process
// (`…CpuMs`), which a machine shared with other work disturbs less than the wall clock.
// The garbage collections inside the first ask are listed (`openFirstGc`: kind and pause, from
// node's `gc` performance entries, read after the run so that reading them changes nothing): with a
// large store, a full collection begun during the ingest can end inside it. A third case asks
// for the first batch of the unique-values trace after the event loop was idle for 100 ms, as the
// extension does when a panel opens on a run already stored (the spans came over HTTP, one request
// per turn of the loop; V8 finishes its marking in tasks of the loop): `firstAfterIdle`. Before
// all of them, the first batch the process makes, its encoder not yet compiled by V8
// (`processFirstBatch`: a window's first timeline panel meets it once).
// The spans are stored as a request body's are (see `ingest`; `--records`: as an imported file's).
// Run: npm run bench:batch (`--json` prints one JSON object).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStore } from '../../src/collector/store/spanStore';
import { importOtlpJson } from '../../src/collector/ingest/otlpJsonDecoder';
import { decodeOtlpJsonRows } from '../../src/collector/ingest/otlpJsonScanner';
import { encodeSpanBatch, type SpanBatch } from '../../src/protocol/spanBatch';
import { encodeRowBatch } from '../../src/collector/store/recordBatch';

const asJson = process.argv.includes('--json');
const log = (m: string): void => {
  if (!asJson) process.stderr.write(m + '\n');
};
const T0 = 1_763_000_000_000;
const SPANS = 100_000;
const LIVE = 1_000;
const ROUNDS = 5;
const TRACE = 0x7100;
const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0');

/** An OTLP/JSON body of spans `first … first + count - 1` of one trace, 10 attributes each. */
function body(first: number, count: number, repeatValues: boolean): string {
  const list: string[] = [];
  for (let id = first; id < first + count; id++) {
    const attributes: string[] = [];
    for (let a = 0; a < 10; a++) attributes.push(`{"key":"attr.${a}","value":{"stringValue":"value ${a} of span ${repeatValues ? id % 20 : `${TRACE}.${id}`}"}}`);
    const parent = id > 1 ? `,"parentSpanId":"${hex(Math.max(1, Math.floor(id / 4)), 16)}"` : '';
    list.push(
      `{"traceId":"${hex(TRACE, 32)}","spanId":"${hex(id, 16)}"${parent},"name":"span ${id % 50}","kind":1,"startTimeUnixNano":"${(T0 + id) * 1e6}","endTimeUnixNano":"${(T0 + id + 1) * 1e6}","attributes":[${attributes.join(',')}],"status":{"code":0}}`,
    );
  }
  return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bench"}}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[${list.join(',')}]}]}]}`;
}

/**
 * CPU time of this thread alone (Linux: the scheduler's count in nanoseconds), without the GC's
 * helper threads that the process's CPU time includes: what the encode itself and the pauses
 * of the collector on this thread cost. The kernel brings the count up to date at each scheduler
 * tick (4 ms at 250 Hz) and switch: right to a few ms for the first ask, not for a live update.
 * NaN where it cannot be read.
 */
const threadCpuMs = (): number => {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
};
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number): number => +x.toFixed(2);

/** The message the panel posts on open (timelinePanel.sendSpans), around the batch. */
function showRun(id: string, batch: SpanBatch): object {
  return { type: 'showRun', traceId: id, title: 'bench', spans: batch, live: false, workspaceRoots: [] };
}

/** Garbage collections of the process as node reports them (entries arrive after the code that caused them). */
const gcEntries: PerformanceEntry[] = [];
const gcObserver = new PerformanceObserver((list) => gcEntries.push(...list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};

/** The collections that began inside [from, to] (performance.now() times), as "kind pause ms". */
function gcsWithin(from: number, to: number): string[] {
  return gcEntries.filter((e) => e.startTime >= from && e.startTime <= to).map((e) => `${GC_KINDS[(e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other'} ${e.duration.toFixed(1)}`);
}

/**
 * Spans stored as a request body is (the byte scanner's index written as rows, one-off values kept
 * as UTF-8 bytes in the chunks) or, with `--records`, through records (`importOtlpJson`: the path of
 * imported files), whose values stay strings.
 */
const viaRecords = process.argv.includes('--records');
function ingest(store: SpanStore, text: string): void {
  if (viaRecords) importOtlpJson(store, text);
  else store.ingest(decodeOtlpJsonRows(Buffer.from(text), store.decodeContext));
}

/** A stored 100k-span trace: its store and id. */
function storeTrace(repeatValues: boolean): { store: SpanStore; id: string } {
  const store = new SpanStore({ maxBytes: 8192 * 1024 * 1024, maxSpans: 4 * SPANS });
  for (let first = 1; first <= SPANS; first += 5000) ingest(store, body(first, 5000, repeatValues));
  return { store, id: hex(TRACE, 32) };
}

/**
 * The first ask of a unique-values trace: after the loop was idle for 100 ms (see the top), or
 * (`idleMs` 0) at once, as the first batch this process makes (its code not yet compiled).
 */
async function firstAsk(idleMs: number): Promise<object> {
  const { store, id } = storeTrace(false);
  if (idleMs > 0) await sleep(idleMs);
  const c0 = cpuMs();
  const h0 = threadCpuMs();
  const t0 = performance.now();
  store.batchSince(id, undefined, { summary: true });
  const t1 = performance.now();
  const thread = threadCpuMs() - h0;
  const cpu = cpuMs() - c0;
  store.dispose();
  return { openFirstMs: round(t1 - t0), openFirstCpuMs: round(cpu), openFirstThreadCpuMs: round(thread), window: [t0, t1] };
}

function measure(repeatValues: boolean): object {
  const { store, id } = storeTrace(repeatValues);
  const summary = { summary: true };
  const open: number[] = [];
  const openCpu: number[] = [];
  const openThreadCpu: number[] = [];
  const clone: number[] = [];
  const old: number[] = [];
  const oldCpu: number[] = [];
  const oldClone: number[] = [];
  const kept: number[] = [];
  const details: number[] = [];
  const search: number[] = [];
  // The first ask: the batch is made (and kept, the budget having room for it).
  const c0 = cpuMs();
  const h0 = threadCpuMs();
  const t0 = performance.now();
  const first = showRun(id, store.batchSince(id, undefined, summary)!.batch) as { spans: SpanBatch };
  const openFirstMs = performance.now() - t0;
  const openFirstThreadCpuMs = threadCpuMs() - h0;
  const openFirstCpuMs = cpuMs() - c0;
  const spans = first.spans.parent.length;
  const textChars = first.spans.text.length;
  const attributes = first.spans.attrKey.length;
  let previousTextChars = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Made again from the stored rows, as every first ask of a trace does (batchSince without its kept batch).
    const c0 = cpuMs();
    const h0 = threadCpuMs();
    const t0 = performance.now();
    const made = showRun(id, encodeRowBatch(store.entry(id)!.rows(), true));
    const t1 = performance.now();
    openThreadCpu.push(threadCpuMs() - h0);
    openCpu.push(cpuMs() - c0);
    structuredClone(made);
    const t2 = performance.now();
    // The previous path: every attribute in the batch.
    const c1 = cpuMs();
    const t3 = performance.now();
    const whole = showRun(id, encodeRowBatch(store.entry(id)!.rows()));
    const t4 = performance.now();
    oldCpu.push(cpuMs() - c1);
    structuredClone(whole);
    const t5 = performance.now();
    previousTextChars = (whole as { spans: SpanBatch }).spans.text.length;
    // Asked again, unchanged (a panel shown again): the kept batch.
    store.batchSince(id, undefined, summary);
    const t6 = performance.now();
    // A span selected: its whole batch; a search for an attribute value the summary leaves out.
    store.spanBatch(id, hex(1 + ((r * 7919) % SPANS), 16));
    const t7 = performance.now();
    store.matchSpans(id, [{ key: 'attr.7', value: `value 7 of span ${repeatValues ? 13 : `${TRACE}.${4242 + r}`}` }]);
    const t8 = performance.now();
    open.push(t1 - t0);
    clone.push(t2 - t1);
    old.push(t4 - t3);
    oldClone.push(t5 - t4);
    kept.push(t6 - t5);
    details.push(t7 - t6);
    search.push(t8 - t7);
  }
  // Live: 1,000 spans arrive on the 100k trace; the panel asks for what came since its cursor.
  const live: number[] = [];
  const liveCpu: number[] = [];
  const liveOld: number[] = [];
  let cursor = store.batchSince(id, undefined, summary)!.cursor;
  let sent = new Set(store.trace(id).map((s) => s.spanId));
  let next = SPANS + 1;
  let liveSpans = 0;
  for (let r = 0; r < ROUNDS; r++) {
    ingest(store, body(next, LIVE, repeatValues));
    next += LIVE;
    const c0 = cpuMs();
    const t0 = performance.now();
    const got = store.batchSince(id, cursor, summary)!;
    const t1 = performance.now();
    liveCpu.push(cpuMs() - c0);
    const fresh = store.trace(id).filter((s) => !sent.has(s.spanId));
    encodeSpanBatch(fresh);
    const t2 = performance.now();
    cursor = got.cursor;
    sent = new Set([...sent, ...fresh.map((s) => s.spanId)]);
    liveSpans = got.batch.parent.length;
    live.push(t1 - t0);
    liveOld.push(t2 - t1);
  }
  store.dispose();
  return {
    window: [t0, t0 + openFirstMs],
    spans,
    textChars,
    attributes,
    previousTextChars,
    openFirstMs: round(openFirstMs),
    openFirstCpuMs: round(openFirstCpuMs),
    openFirstThreadCpuMs: round(openFirstThreadCpuMs),
    openMs: round(med(open)),
    openCpuMs: round(med(openCpu)),
    openThreadCpuMs: round(med(openThreadCpu)),
    openKeptMs: round(med(kept)),
    structuredCloneMs: round(med(clone)),
    previousPathMs: round(med(old)),
    previousPathCpuMs: round(med(oldCpu)),
    previousStructuredCloneMs: round(med(oldClone)),
    openVsPreviousPath: round(med(open) / med(old)),
    openVsStructuredClone: round(med(open) / med(clone)),
    detailsMs: round(med(details)),
    searchMs: round(med(search)),
    liveSpans,
    liveMs: round(med(live)),
    liveCpuMs: round(med(liveCpu)),
    livePreviousPathMs: round(med(liveOld)),
    liveVsPreviousPath: round(med(live) / med(liveOld)),
  };
}

/** The case's figures with the collections inside its first ask (its time window replaced by them). */
function withGcs(r: object): object {
  const { window, ...rest } = r as { window: [number, number] };
  return { ...rest, openFirstGc: gcsWithin(window[0], window[1]) };
}

async function main(): Promise<void> {
  // The first batch a process makes runs its encoder's code before V8 has compiled it (about twice
  // the time of a later first ask, whatever the values): measured on its own, so that the two
  // cases below compare values, not which came first.
  log(`storing a ${SPANS}-span trace (unique values), the process's first batch…`);
  const cold = await firstAsk(0);
  log(`storing a ${SPANS}-span trace (unique values)…`);
  const unique = measure(false);
  log(`storing a ${SPANS}-span trace (repeating values)…`);
  const repeating = measure(true);
  log(`storing a ${SPANS}-span trace (unique values), asking after 100 ms idle…`);
  const idle = await firstAsk(100);
  // Node reports the collections in a task after them.
  await sleep(10);
  gcObserver.disconnect();
  const result = { goalMs: 50, loadAverage: +loadavg()[0]!.toFixed(1), processFirstBatch: withGcs(cold), uniqueValues: withGcs(unique), repeatingValues: withGcs(repeating), firstAfterIdle: withGcs(idle) };
  log(`the process's first batch (code not yet compiled): ${JSON.stringify(result.processFirstBatch)}`);
  log(JSON.stringify(result.uniqueValues));
  log(JSON.stringify(result.repeatingValues));
  log(JSON.stringify(result.firstAfterIdle));
  log(`load average ${result.loadAverage} (a shared machine: compare the ratios and CPU times)`);
  if (asJson) process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 1;
});
