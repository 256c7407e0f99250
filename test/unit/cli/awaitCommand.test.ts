import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { resolve } from 'node:path';
import { awaitCommand } from '../../../src/cli/awaitCommand';
import { AWAIT_COMMAND_FLAG, type RunnerStart } from '../../../src/protocol/runnerStart';

const input = (): PassThrough & NodeJS.ReadStream => new PassThrough() as PassThrough & NodeJS.ReadStream;

test('a waiting runner takes its command, environment and folder from one stdin line, then closes stdin', async () => {
  const stdin = input();
  const cwd = process.cwd();
  process.env.IF_AWAIT_TEST_GONE = 'inherited';
  try {
    const got = awaitCommand(stdin);
    const start: RunnerStart = { argv: ['run', 'plans/a.ts', '--max-passes', '3'], env: { IF_AWAIT_TEST_SET: 'yes', IF_AWAIT_TEST_GONE: null }, cwd: resolve('sample-workspace') };
    // Split across chunks, as a pipe may deliver it.
    const line = JSON.stringify(start) + '\n';
    stdin.write(line.slice(0, 10));
    stdin.write(line.slice(10));
    assert.deepEqual(await got, start.argv);
    assert.equal(process.env.IF_AWAIT_TEST_SET, 'yes');
    assert.equal(process.env.IF_AWAIT_TEST_GONE, undefined);
    assert.equal(process.cwd(), start.cwd);
    assert.equal(stdin.destroyed, true, 'stdin closed: the process can end with its command');
  } finally {
    process.chdir(cwd);
    delete process.env.IF_AWAIT_TEST_SET;
    delete process.env.IF_AWAIT_TEST_GONE;
  }
});

test('a waiting runner refuses a line that is not a start, and stdin ending first', async () => {
  for (const bad of ['not json\n', '{"argv":"run"}\n', '{"argv":[1],"env":{}}\n', '{"argv":[],"env":null}\n']) {
    const stdin = input();
    const got = awaitCommand(stdin);
    stdin.write(bad);
    await assert.rejects(got, /await-command|JSON/, bad);
  }
  const stdin = input();
  const got = awaitCommand(stdin);
  stdin.end();
  await assert.rejects(got, /stdin ended before a start line/);
});

test('the bundled CLI started ahead runs a plan once its start line arrives, as if started with it', async () => {
  const child = spawn(process.execPath, [resolve('dist/cli.js'), AWAIT_COMMAND_FLAG], { cwd: resolve('.'), stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', NO_COLOR: '1' } });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  // Loaded and waiting: nothing runs until the line comes.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(child.exitCode, null);
  const start: RunnerStart = { argv: ['run', 'plans/create-cluster.ts', '--log', 'none'], env: { SAMPLE_TIME_SCALE: '0.01', INSTRUMENT_FIRST_LOG_FORMAT: 'none' }, cwd: resolve('sample-workspace') };
  child.stdin.end(JSON.stringify(start) + '\n');
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  assert.equal(code, 0, stdout);
  assert.match(stdout, /plan create-cluster/);
  assert.match(stdout, /converged after 2 passes/);
});
