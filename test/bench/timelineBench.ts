// bench:timeline — the timeline webview (dist/webview.js, virtualized rows) against a naive
// rendering of the same spans with one DOM row per span, in the same headless Chromium run.
// For 1k / 10k / 100k spans: time to first render (message posted → frame painted) and frame times while
// scrolling (requestAnimationFrame intervals, p50 / p95). The naive 100k case is capped by a
// timeout. Usage: node out/test/bench/timelineBench.js [--json] [--sizes 1000,10000] [--frames 120] [--repeat 3]
import { loadavg } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { openTimeline, serveWebview, type PageWindow } from '../browser/harness';
import { launchChromium } from '../host/chromium';
import { syntheticTrace } from '../browser/syntheticTrace';
import { encodeSpanBatch } from '../../src/protocol/spanBatch';
import { parseHostToWebview } from '../../src/protocol/timelineMessages';
import { NO_FILTER } from '../../src/timelineModel/rowFilter';
import { buildRows } from '../../src/timelineModel/rows';
import { SpanTable } from '../../src/timelineModel/spanTable';
import { buildSpanTree } from '../../src/timelineModel/spanTreeBuilder';

interface Measure {
  /** From the message posted (structured clone included) to the frame after the rows are drawn. */
  firstRenderMs: number | null;
  /** The part inside the webview's message handler (what it reports itself: after deserialization). */
  handlerMs?: number | null;
  frameP50Ms: number | null;
  frameP95Ms: number | null;
  domRows: number | null;
  note?: string;
}

interface Row {
  spans: number;
  /** CPU time (this process, median of 5) of clone + validate + tree + rows in Node: the model's own cost, unaffected by waiting for a busy CPU. */
  modelCpuMs: number;
  virtualized: Measure;
  naive: Measure;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string, def: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
};
const SIZES = opt('--sizes', '1000,10000,100000').split(',').map(Number);
const FRAMES = Number(opt('--frames', '120'));
const NAIVE_TIMEOUT_MS = Number(opt('--naive-timeout', '30000'));
/** Virtualized runs per size (the median is reported: shared CI machines are noisy). */
const REPEAT = Math.max(1, Number(opt('--repeat', '3')));
const VIEWPORT = { width: 1280, height: 800 };

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Scrolls `selector` by a few rows per frame and returns the requestAnimationFrame intervals. */
function scrollFrames(page: Page, selector: string, frames: number): Promise<number[]> {
  return page.evaluate(
    ([sel, count]) =>
      new Promise<number[]>((resolve) => {
        const g = globalThis as unknown as PageWindow & { requestAnimationFrame(cb: (t: number) => void): void };
        const el = g.document.querySelector(sel as string) as unknown as { scrollTop: number; scrollHeight: number; clientHeight: number };
        const out: number[] = [];
        let last = -1;
        let i = 0;
        let dir = 1;
        const step = (t: number) => {
          if (last >= 0) out.push(t - last);
          last = t;
          if (i++ >= (count as number)) return resolve(out);
          // ~3 rows per frame, like a brisk wheel scroll; bounce at the ends.
          if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
          else if (el.scrollTop <= 0) dir = 1;
          el.scrollTop += dir * 66;
          g.requestAnimationFrame(step);
        };
        g.requestAnimationFrame(step);
      }),
    [selector, frames] as const,
  );
}

async function measureVirtualized(browser: Browser, origin: string, n: number): Promise<Measure> {
  const tp = await openTimeline(browser, { origin, ...VIEWPORT });
  try {
    const n0 = (await tp.posted()).length;
    // The spans as the extension sends them (one span batch), handed to the page beforehand.
    await tp.page.evaluate((batch) => ((globalThis as unknown as { __batch: unknown }).__batch = batch), encodeSpanBatch(syntheticTrace(n)));
    await tp.page.evaluate(() => {
      const g = globalThis as unknown as PageWindow & { __postStart: number; __batch: unknown };
      // From here: the structured clone of the message, its deserialization in the webview,
      // validation, model, rows and the painted frame.
      g.__postStart = performance.now();
      g.postMessage({ type: 'showRun', traceId: 'bench', title: 'bench', spans: g.__batch, live: false }, '*');
    });
    const r = await tp.waitFor('rendered', n0);
    const firstRenderMs = await tp.page.evaluate((since) => {
      const g = globalThis as unknown as PageWindow & { __postStart: number };
      const i = g.__posted.findIndex((m, k) => k >= since && m.type === 'rendered');
      return g.__postedAt[i]! - g.__postStart;
    }, n0);
    const domRows = await tp.page.locator('.viewport .row').count();
    await scrollFrames(tp.page, '.viewport', 10); // warm up
    const frames = await scrollFrames(tp.page, '.viewport', FRAMES);
    return { firstRenderMs, handlerMs: r.ms, frameP50Ms: pct(frames, 50), frameP95Ms: pct(frames, 95), domRows };
  } finally {
    await tp.close();
  }
}

/**
 * The reference: every span becomes a DOM row (name, total, bar) up front, in tree order, the
 * way a simple waterfall (or Jaeger's expanded view without windowing) renders it.
 */
function naiveRender(spans: { spanId: string; parentSpanId?: string; name: string; startMs: number; endMs: number }[], t0: number): Promise<number> {
  const g = globalThis as unknown as {
    document: {
      createElement(t: string): { className: string; textContent: string; style: Record<string, string>; append(...n: unknown[]): void };
      body: { replaceChildren(...n: unknown[]): void; style: Record<string, string> };
    };
    requestAnimationFrame(cb: () => void): void;
    MessageChannel: new () => { port1: { onmessage: () => void }; port2: { postMessage(v: unknown): void } };
  };
  const kids = new Map<string | undefined, typeof spans>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    const l = kids.get(p);
    if (l) l.push(s);
    else kids.set(p, [s]);
  }
  for (const l of kids.values()) l.sort((a, b) => a.startMs - b.startMs);
  let min = Infinity;
  let max = -Infinity;
  for (const s of spans) {
    min = Math.min(min, s.startMs);
    max = Math.max(max, s.endMs);
  }
  const d = g.document;
  const box = d.createElement('div');
  box.className = 'naive';
  Object.assign(box.style, { position: 'absolute', inset: '0', overflow: 'auto', font: '13px sans-serif' });
  const stack: [typeof spans[number], number][] = (kids.get(undefined) ?? []).map((s) => [s, 0] as [typeof spans[number], number]).reverse();
  while (stack.length) {
    const [s, depth] = stack.pop()!;
    const row = d.createElement('div');
    Object.assign(row.style, { display: 'grid', gridTemplateColumns: '34% 64px 1fr', height: '22px', lineHeight: '22px' });
    const name = d.createElement('div');
    name.textContent = s.name;
    Object.assign(name.style, { paddingLeft: `${depth * 12}px`, overflow: 'hidden', whiteSpace: 'nowrap' });
    const dur = d.createElement('div');
    dur.textContent = `${(s.endMs - s.startMs).toFixed(1)} ms`;
    const track = d.createElement('div');
    track.style.position = 'relative';
    const bar = d.createElement('div');
    Object.assign(bar.style, {
      position: 'absolute',
      top: '5px',
      height: '12px',
      background: '#388a34',
      left: `${((s.startMs - min) / (max - min)) * 100}%`,
      width: `max(1px, ${((s.endMs - s.startMs) / (max - min)) * 100}%)`,
    });
    track.append(bar);
    row.append(name, dur, track);
    box.append(row);
    const c = kids.get(s.spanId);
    if (c) for (let i = c.length - 1; i >= 0; i--) stack.push([c[i]!, depth + 1]);
  }
  d.body.replaceChildren(box);
  return new Promise((resolve) =>
    g.requestAnimationFrame(() => {
      const ch = new g.MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now() - t0);
      ch.port2.postMessage(undefined);
    }),
  );
}

async function measureNaive(browser: Browser, origin: string, n: number): Promise<Measure> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  try {
    await page.goto(origin + '/blank');
    await page.evaluate(
      ([src, count]) => {
        const make = new Function(`return (${src as string})`)() as (n: number) => unknown[];
        (globalThis as unknown as { __spans: unknown[] }).__spans = make(count as number);
      },
      [syntheticTrace.toString(), n] as const,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), NAIVE_TIMEOUT_MS)));
    const first = await Promise.race([
      page.evaluate(
        ([src]) =>
          new Promise<number>((resolve) => {
            // Like the webview: the spans arrive in a message, timed from the post.
            const render = new Function(`return (${src as string})`)() as (s: unknown, t0: number) => Promise<number>;
            const g = globalThis as unknown as {
              __spans: unknown;
              addEventListener(t: 'message', f: (e: { data: unknown }) => void, o: { once: boolean }): void;
              postMessage(m: unknown, origin: string): void;
            };
            const spans = g.__spans;
            g.__spans = undefined;
            let t0 = 0;
            g.addEventListener('message', (e) => void render(e.data, t0).then(resolve), { once: true });
            t0 = performance.now();
            g.postMessage(spans, '*');
          }),
        [naiveRender.toString()] as const,
      ),
      timeout,
    ]);
    clearTimeout(timer);
    if (first === null) return { firstRenderMs: null, frameP50Ms: null, frameP95Ms: null, domRows: n, note: `no first paint within ${NAIVE_TIMEOUT_MS / 1000} s (timed out)` };
    const frames = await Promise.race([scrollFrames(page, '.naive', FRAMES), new Promise<null>((r) => (timer = setTimeout(() => r(null), NAIVE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    if (frames === null) return { firstRenderMs: first, frameP50Ms: null, frameP95Ms: null, domRows: n, note: 'scrolling timed out' };
    return { firstRenderMs: first, frameP50Ms: pct(frames, 50), frameP95Ms: pct(frames, 95), domRows: n };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** The webview's model work on arrival (the message's structured clone, validation, span tree, rows), as CPU time in Node. */
function modelCpu(n: number): number {
  const batch = encodeSpanBatch(syntheticTrace(n));
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const m = parseHostToWebview({ type: 'showRun', traceId: 'bench', title: 'bench', spans: structuredClone(batch), live: false });
    if (!m || m.type !== 'showRun') throw new Error('invalid bench trace');
    buildRows(buildSpanTree(new SpanTable(m.spans)), new Set(), NO_FILTER);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
  }
  return pct(times, 50);
}

const f = (v: number | null, d = 1) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(d));

async function main(): Promise<void> {
  const browser = await launchChromium();
  const { server, origin } = await serveWebview();
  const rows: Row[] = [];
  const loadBefore = loadavg();
  try {
    for (const n of SIZES) {
      if (!json) process.stderr.write(`${n} spans…\n`);
      const runs: Measure[] = [];
      for (let i = 0; i < REPEAT; i++) runs.push(await measureVirtualized(browser, origin, n));
      const med = (f: (m: Measure) => number | null) => pct(runs.map((m) => f(m) ?? NaN), 50);
      const virtualized: Measure = {
        firstRenderMs: med((m) => m.firstRenderMs),
        handlerMs: med((m) => m.handlerMs ?? null),
        frameP50Ms: med((m) => m.frameP50Ms),
        frameP95Ms: med((m) => m.frameP95Ms),
        domRows: runs[0]!.domRows,
        note: `first render of ${REPEAT} runs: ${runs.map((m) => m.firstRenderMs?.toFixed(0)).join(', ')} ms (of which in the message handler: ${runs.map((m) => m.handlerMs?.toFixed(0)).join(', ')} ms)`,
      };
      const naive = await measureNaive(browser, origin, n);
      rows.push({ spans: n, modelCpuMs: modelCpu(n), virtualized, naive });
    }
  } finally {
    await browser.close();
    server.close();
  }
  const load = { before: loadBefore, after: loadavg() };
  if (json) {
    process.stdout.write(JSON.stringify({ load, frames: FRAMES, repeat: REPEAT, viewport: VIEWPORT, naiveTimeoutMs: NAIVE_TIMEOUT_MS, results: rows }, null, 2) + '\n');
    return;
  }
  const lines = [
    `Timeline, headless Chromium ${VIEWPORT.width}×${VIEWPORT.height}, ${FRAMES} scroll frames (~3 rows each); virtualized: median of ${REPEAT} runs, naive: 1 run`,
    '',
    '| spans | first render: virtualized | naive | ratio | frame p50 / p95: virtualized | naive | DOM rows: virtualized | naive | model CPU (Node) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const v = r.virtualized;
    const nv = r.naive;
    const ratio = v.firstRenderMs && nv.firstRenderMs ? `${(nv.firstRenderMs / v.firstRenderMs).toFixed(1)}×` : nv.firstRenderMs === null ? `> ${(NAIVE_TIMEOUT_MS / (v.firstRenderMs ?? 1)).toFixed(0)}×` : '—';
    lines.push(
      `| ${r.spans.toLocaleString('en-US')} | ${f(v.firstRenderMs, 0)} ms | ${nv.firstRenderMs === null ? `> ${NAIVE_TIMEOUT_MS / 1000} s` : `${f(nv.firstRenderMs, 0)} ms`} | ${ratio} | ${f(v.frameP50Ms)} / ${f(v.frameP95Ms)} ms | ${f(nv.frameP50Ms)} / ${f(nv.frameP95Ms)} ms | ${v.domRows ?? '—'} | ${nv.domRows ?? '—'} | ${f(r.modelCpuMs, 0)} ms |`,
    );
  }
  lines.push('', 'first render: from postMessage (structured clone included) to the frame after the rows are drawn.');
  lines.push('model CPU: structured clone of the span batch + validation + span tree + rows of the same spans in Node, CPU time (median of 5): the work itself, apart from waiting for a busy CPU.');
  for (const r of rows) lines.push(`virtualized ${r.spans}: ${r.virtualized.note ?? ''}`);
  for (const r of rows) if (r.naive.note) lines.push(`naive ${r.spans}: ${r.naive.note}`);
  lines.push(`load average (1/5/15 min): ${load.before.map((x) => x.toFixed(2)).join(' / ')} before, ${load.after.map((x) => x.toFixed(2)).join(' / ')} after`);
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
