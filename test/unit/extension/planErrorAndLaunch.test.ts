import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlanError, planErrorText } from '../../../src/views/planError';
import { childSessionName, nodeLaunchConfig, SESSION_TAG, TRACE_LINK_ENV } from '../../../src/views/launchConfig';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/views/settings';

test('reads the runner one-line errors with file, line and column', () => {
  assert.deepEqual(parsePlanError('plan x\ninstrument-first: ./broken/syntax-error.ts:8:3: syntax error: Unexpected "}"\n'), {
    file: 'broken/syntax-error.ts',
    line: 8,
    column: 3,
    message: 'syntax error: Unexpected "}"',
  });
  const e = parsePlanError('\x1b[31minstrument-first: broken/create-throws.ts:7: create() of plan "create-throws" failed\x1b[0m')!;
  assert.equal(planErrorText(e), 'broken/create-throws.ts:7: create() of plan "create-throws" failed');
  assert.deepEqual(parsePlanError('instrument-first: broken/no-plan.ts: no plan exported (a plan has …)'), { file: 'broken/no-plan.ts', message: 'no plan exported (a plan has …)' });
  assert.equal(parsePlanError('just output\n'), undefined);
});

test('a plan launch runs the CLI under the Node debugger with the collector endpoint', () => {
  const c = nodeLaunchConfig(
    { plan: '/ws/plans/create-cluster.ts', export: 'createClusterFaulty', env: { FOO: '1' } },
    { cliPath: '/ext/dist/cli.js', extensionDist: '/ext/dist', endpoint: 'http://127.0.0.1:4318', sessionId: 's1', instrumentation: false, defaultMaxPasses: 7, traceLinkTemplate: 'vscode://x.y/trace/{traceId}' },
  );
  assert.equal(c.type, 'node');
  assert.equal(c.program, '/ext/dist/cli.js');
  assert.deepEqual(c.args, ['run', '/ws/plans/create-cluster.ts', '--export', 'createClusterFaulty', '--max-passes', '7', '--log', 'pretty']);
  const env = c.env as Record<string, string | null>;
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
  assert.equal(env.OTEL_SDK_DISABLED, 'true');
  assert.equal(env.INSTRUMENT_FIRST_SESSION_ID, 's1');
  assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, null);
  // Launches send protobuf (the collector's faster path); an inherited per-signal choice is cleared.
  assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
  assert.equal(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, null);
  assert.equal(env.FOO, '1');
  assert.equal(env.COLUMNS, '90', 'the waterfall sized for the Debug Console');
  assert.equal(env[TRACE_LINK_ENV], 'vscode://x.y/trace/{traceId}');
  assert.equal(c.sourceMaps, true);
  assert.equal(c[SESSION_TAG], 's1');
});

test("the debugger's child session of a plan is named after the plan, keeping the process id", () => {
  assert.equal(childSessionName('cli.js [4242]', 'plans/create-cluster.ts'), 'plans/create-cluster.ts [4242]');
  // js-debug adds its parent's name and a state to the name it sets; the pid is what is kept.
  assert.equal(childSessionName('cli.js [17] « Debug plans/x.ts (paused)', 'plans/x.ts · faulty'), 'plans/x.ts · faulty [17]');
  assert.equal(childSessionName('cli.js', 'plans/x.ts'), 'plans/x.ts');
  // Idempotent: renaming an already renamed session changes nothing (no rename loop).
  const once = childSessionName('cli.js [9]', 'plans/a [1].ts');
  assert.equal(childSessionName(once, 'plans/a [1].ts'), once);
});

test('any Node program can be launched traced; a config needs plan or program', () => {
  const ctx = { cliPath: '/c', extensionDist: '/d', endpoint: 'http://e', sessionId: 's', instrumentation: true, defaultMaxPasses: 10 };
  const c = nodeLaunchConfig({ program: '/ws/app.js', args: ['--x'] }, ctx);
  assert.equal(c.program, '/ws/app.js');
  assert.deepEqual(c.args, ['--x']);
  assert.equal((c.env as Record<string, unknown>).OTEL_SDK_DISABLED, undefined);
  assert.throws(() => nodeLaunchConfig({}, ctx), /needs "plan"/);
});

test('settings: defaults, and bad values fall back instead of breaking', () => {
  assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
  const values: Record<string, unknown> = { 'collector.decodeWorkers': 2, 'collector.port': 70000, 'inline.mode': 'both', 'forwarding.headers': { a: 'b', n: 1 }, 'run.maxPasses': 3, 'instrumentation.enabled': false };
  const s = readSettings((k) => values[k]);
  assert.equal(s.collector.port, 0);
  assert.equal(s.collector.decodeWorkers, 2);
  assert.equal(readSettings((k) => (k === 'collector.decodeWorkers' ? 99 : undefined)).collector.decodeWorkers, DEFAULT_SETTINGS.collector.decodeWorkers);
  assert.equal(s.inline.mode, 'both');
  assert.deepEqual(s.forwarding.headers, { a: 'b' });
  assert.equal(s.run.maxPasses, 3);
  assert.equal(s.instrumentation.enabled, false);
});

test('launches pass the ctx.log setting as INSTRUMENT_FIRST_LOG_RECORDS; a launch configuration’s own env wins', () => {
  const ctx = { cliPath: '/ext/dist/cli.js', extensionDist: '/ext/dist', endpoint: 'http://127.0.0.1:4318', sessionId: 's1', instrumentation: true, defaultMaxPasses: 7, logRecords: 'both' as const };
  const env = (c: Record<string, unknown>) => c.env as Record<string, string | null>;
  assert.equal(env(nodeLaunchConfig({ plan: '/ws/plans/p.ts' }, ctx)).INSTRUMENT_FIRST_LOG_RECORDS, 'both');
  assert.equal(env(nodeLaunchConfig({ program: '/ws/app.js' }, ctx)).INSTRUMENT_FIRST_LOG_RECORDS, 'both');
  assert.equal(env(nodeLaunchConfig({ plan: '/ws/plans/p.ts', env: { INSTRUMENT_FIRST_LOG_RECORDS: 'logs' } }, ctx)).INSTRUMENT_FIRST_LOG_RECORDS, 'logs');
  assert.equal(env(nodeLaunchConfig({ plan: '/ws/plans/p.ts' }, { ...ctx, logRecords: undefined })).INSTRUMENT_FIRST_LOG_RECORDS, undefined);
});
