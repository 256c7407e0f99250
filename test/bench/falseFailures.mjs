// False failures of `instrument-first check` on unchanged plans: records baselines of the sample's
// good plans once, then runs `check` on them N times (default 100) with SAMPLE_TIME_SCALE jittered
// around the recorded scale for every check (the world a little slower or faster each time, plus
// the machine's own timer and CPU noise). Every check must pass. Prints the failures and, per plan,
// how close the fastest checked run came to the limit (worst fastest / limit).
// Usage: node test/bench/falseFailures.mjs [--checks 100] [--scale 0.1] [--jitter 0.1] [--runs 5]
// Needs dist/ (npm run build). Takes about 2 s per check at scale 0.1.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CHECKS = opt('--checks', 100);
const SCALE = opt('--scale', 0.1);
const JITTER = opt('--jitter', 0.1);
const RUNS = opt('--runs', 5);
const CLI = resolve('dist/cli.js');
const PLANS = ['plans/create-cluster.ts', 'plans/checkout.ts'];

const dir = mkdtempSync(join(tmpdir(), 'if-false-failures-'));
const cli = (argv, scale) => spawnSync(process.execPath, [CLI, ...argv], { cwd: dir, encoding: 'utf8', env: { ...process.env, SAMPLE_TIME_SCALE: String(scale), OTEL_EXPORTER_OTLP_ENDPOINT: '', NO_COLOR: '1' } });

try {
  for (const d of ['plans', 'cloud', 'shop']) cpSync(resolve('sample-workspace', d), join(dir, d), { recursive: true });
  for (const plan of PLANS) {
    const r = cli(['baseline', 'record', plan, '--runs', String(RUNS)], SCALE);
    if (r.status !== 0) throw new Error(`record ${plan}: ${r.stdout}${r.stderr}`);
    process.stdout.write(r.stdout);
  }
  const t0 = Date.now();
  let failures = 0;
  const worst = new Map();
  for (let i = 0; i < CHECKS; i++) {
    const scale = SCALE * (1 + (Math.random() * 2 - 1) * JITTER);
    const r = cli(['check', ...PLANS, '--runs', String(RUNS), '--format', 'json'], scale);
    if (r.status === 2 || !r.stdout) throw new Error(`check failed to run: ${r.stderr}`);
    const report = JSON.parse(r.stdout);
    for (const p of report.plans) {
      const ratio = p.outcome.duration.fastestMs / p.outcome.duration.limitMs;
      const steps = p.outcome.compare.filter((c) => c.baselineMs !== undefined && c.seenMs !== undefined);
      const w = worst.get(p.plan) ?? { plan: 0, stepsVsMedian: 0 };
      w.plan = Math.max(w.plan, ratio);
      for (const s of steps) w.stepsVsMedian = Math.max(w.stepsVsMedian, s.seenMs / Math.max(s.baselineMs, 0.001));
      worst.set(p.plan, w);
    }
    if (r.status !== 0) {
      failures++;
      const diffs = report.plans.flatMap((p) => p.outcome.differences.map((d) => `${p.plan}: ${d.message}`));
      process.stdout.write(`check ${i + 1} (scale ${scale.toFixed(4)}) FAILED:\n  ${diffs.join('\n  ')}\n`);
    }
    if ((i + 1) % 10 === 0) process.stdout.write(`${i + 1} checks, ${failures} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  process.stdout.write(`\nfalse failures: ${failures} of ${CHECKS} checks (goal 0), each ${RUNS} runs of ${PLANS.length} plans, SAMPLE_TIME_SCALE ${SCALE} ± ${JITTER * 100}%\n`);
  for (const [plan, w] of worst) process.stdout.write(`  ${plan}: worst plan fastest run / limit ${w.plan.toFixed(2)}, worst step median / baseline median ${w.stepsVsMedian.toFixed(2)}\n`);
  process.exitCode = failures === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
