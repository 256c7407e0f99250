// The reference of the collector bench: JSON.parse of the same bodies, in a fresh process of its
// own (as the collector under test is), so that the bench process's heap and history do not bend
// it. argv[2]: milliseconds per window; argv[3]: windows (the median window is reported, so that a
// short fast or slow spell of the machine does not decide it). Prints one JSON line:
// {spansPerSec, fromBytesSpansPerSec, spansPerCpuSec}.
import { jsonBody, makeTemplates, SPANS_PER_BODY } from './bodies';

const ms = Number(process.argv[2] ?? 700);
const windows = Math.max(1, Number(process.argv[3] ?? 3));
const t = makeTemplates(8);
const bufs = Array.from({ length: 64 }, (_, i) => jsonBody(t, 900_000 + i));
const strs = bufs.map((b) => b.toString('utf8'));

/** Spans per second of wall time and of CPU time, over one window. */
function window(fn: (i: number) => unknown): { wall: number; cpu: number } {
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) fn(n++ % bufs.length);
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall: (n * SPANS_PER_BODY) / wallS, cpu: (n * SPANS_PER_BODY) / ((c.user + c.system) / 1e6) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const parse = (i: number): unknown => JSON.parse(strs[i]!);
// Parsed as a receiver would have to: the body's bytes decoded to a string first.
const fromBytes = (i: number): unknown => JSON.parse(bufs[i]!.toString('utf8'));
for (let i = 0; i < 64; i++) parse(i); // warm up
for (let i = 0; i < 64; i++) fromBytes(i);
const fromStrings: { wall: number; cpu: number }[] = [];
const fromBuffers: { wall: number; cpu: number }[] = [];
for (let w = 0; w < windows; w++) {
  fromStrings.push(window(parse));
  fromBuffers.push(window(fromBytes));
}
process.stdout.write(
  JSON.stringify({
    spansPerSec: median(fromStrings.map((x) => x.wall)),
    fromBytesSpansPerSec: median(fromBuffers.map((x) => x.wall)),
    spansPerCpuSec: median(fromStrings.map((x) => x.cpu)),
  }) + '\n',
);
