import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintCommand, lintPaths } from '../../../src/cli/commands/lint';
import { CliError } from '../../../src/cli/cliError';
import { FIXTURES, REPO } from './lintTestSession';

const tmp = mkdtempSync(join(tmpdir(), 'if-lint-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const out = join(tmp, `out-${Math.random().toString(36).slice(2)}.txt`);
  const code = await lintCommand.run([...args, '--output', out]);
  return { code, out: readFileSync(out, 'utf8') };
}

test('SARIF 2.1.0: rules with help links, results with 1-based regions and relative URIs; errors exit 1', async () => {
  const { code, out } = await run([FIXTURES, '--format', 'sarif']);
  assert.equal(code, 1, 'the fixtures have a swallowed error (severity error)');
  const sarif = JSON.parse(out) as {
    version: string;
    runs: { tool: { driver: { name: string; rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[];
  };
  assert.equal(sarif.version, '2.1.0');
  const run0 = sarif.runs[0]!;
  assert.equal(run0.tool.driver.name, 'instrument-first');
  assert.deepEqual(run0.tool.driver.rules.map((r) => r.id), ['uninstrumented-procedure', 'swallowed-error', 'untraced-external-call', 'unstable-step-id', 'side-effect-in-create']);
  assert.match(run0.tool.driver.rules[1]!.helpUri, /^file:\/\/.*\/docs\/rules\/swallowed-error\.md$/);
  assert.ok(existsSync(fileURLToPath(run0.tool.driver.rules[1]!.helpUri)), 'the rule page ships with the package');
  const swallowed = run0.results.find((r) => r.ruleId === 'swallowed-error')!;
  assert.equal(swallowed.level, 'error');
  assert.equal(run0.tool.driver.rules[swallowed.ruleIndex]!.id, 'swallowed-error');
  const loc = swallowed.locations[0]!.physicalLocation;
  assert.ok(!loc.artifactLocation.uri.startsWith('/'), 'relative to the working directory');
  assert.match(loc.artifactLocation.uri, /test\/fixtures\/linter\/src\/steps\.ts$/);
  assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
});

test('without a tsconfig: warnings only exit 0, unless --max-warnings is exceeded; json output', async () => {
  const dir = join(tmp, 'plain');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, 'steps.ts'), `import type { Procedure } from 'instrument-first';\nexport class Quiet implements Procedure { readonly id = 'quiet'; do() {} }\n`);
  assert.equal((await run([dir])).code, 0);
  assert.equal((await run([dir, '--max-warnings', '1'])).code, 0);
  const over = await run([dir, '--max-warnings', '0', '--format', 'json']);
  assert.equal(over.code, 1);
  const json = JSON.parse(over.out) as { files: number; findings: { rule: string; range: { startLine: number } }[] };
  assert.equal(json.files, 1);
  assert.deepEqual(json.findings.map((f) => f.rule), ['uninstrumented-procedure']);
});

test('--coverage prints the coverage table; --rule changes severities', async () => {
  const { code, out } = await run([FIXTURES, '--coverage', '--rule', 'swallowed-error=warning', '--executed', 'create_group']);
  assert.equal(code, 0);
  assert.match(out, /Observability coverage/);
  assert.match(out, /workspace\s+6\s+6 \(100%\)\s+1 \(17%\)/);
});

test('usage errors are one-line CliErrors with exit code 2', async () => {
  const rejects = async (args: string[], message: RegExp): Promise<void> => {
    await assert.rejects(lintCommand.run(args), (err: unknown) => err instanceof CliError && err.exitCode === 2 && message.test(err.message));
  };
  await rejects([FIXTURES, '--format', 'xml'], /unknown format "xml"/);
  await rejects([join(tmp, 'missing')], /no such file or folder/);
  await rejects([FIXTURES, '--rule', 'nope=error'], /unknown rule "nope"/);
  await rejects([FIXTURES, '--max-warnings', '-1'], /whole number/);
  await rejects([FIXTURES, '--frobnicate'], /unknown option --frobnicate/);
});

test('the sample workspace: the uninstrumented procedure and the swallowed error are found', () => {
  const { findings } = lintPaths([join(REPO, 'sample-workspace')], {});
  const uninstrumented = findings.filter((f) => f.rule === 'uninstrumented-procedure').map((f) => f.message);
  const swallowed = findings.filter((f) => f.rule === 'swallowed-error').map((f) => f.message);
  assert.ok(uninstrumented.some((m) => m.includes('configure_egress')), uninstrumented.join('\n'));
  assert.ok(swallowed.some((m) => m.includes('register_cluster_node_to_lb')), swallowed.join('\n'));
});
