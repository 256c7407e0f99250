// The reference of the collector bench: JSON.parse of the same bodies, in a fresh process of its
// own (as the collector under test is), so that the bench process's heap and history do not bend
// it. argv[2]: milliseconds per measurement. Prints one JSON line:
// {spansPerSec, fromBytesSpansPerSec, spansPerCpuSec}.
import { jsonBody, makeTemplates, SPANS_PER_BODY } from './bodies';

const ms = Number(process.argv[2] ?? 2000);
const t = makeTemplates(8);
const bufs = Array.from({ length: 64 }, (_, i) => jsonBody(t, 900_000 + i));
const strs = bufs.map((b) => b.toString('utf8'));
const rate = (fn: (i: number) => unknown): number => {
  for (let i = 0; i < 64; i++) fn(i); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) fn(n++ % bufs.length);
  return (n * SPANS_PER_BODY) / ((performance.now() - t0) / 1000);
};
const c0 = process.cpuUsage();
const w0 = performance.now();
const spansPerSec = rate((i) => JSON.parse(strs[i]!));
const c1 = process.cpuUsage(c0);
const spansPerCpuSec = spansPerSec * ((performance.now() - w0) / ((c1.user + c1.system) / 1000));
// Parsed as a receiver would have to: the body's bytes decoded to a string first.
const fromBytesSpansPerSec = rate((i) => JSON.parse(bufs[i]!.toString('utf8')));
process.stdout.write(JSON.stringify({ spansPerSec, fromBytesSpansPerSec, spansPerCpuSec }) + '\n');
