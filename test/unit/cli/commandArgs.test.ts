import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs, USAGE_EXIT } from '../../../src/cli/commandArgs';
import { CliError } from '../../../src/cli/cliError';
import { commands } from '../../../src/cli/commandTable';
import { lintCommand } from '../../../src/cli/commands/lint';

const HELP = 'Usage: instrument-first probe [options]\n';

test('options, positionals and defaults come back typed; --help is always there', () => {
  const parsed = parseCommandArgs('probe', HELP, ['a.ts', '--runs', '3', 'b.ts'], { runs: { type: 'string' }, json: { type: 'boolean', default: false } });
  assert.ok(parsed);
  assert.equal(parsed.values.runs, '3');
  assert.equal(parsed.values.json, false);
  assert.deepEqual(parsed.positionals, ['a.ts', 'b.ts']);
});

test('--help and -h print the help and give undefined', () => {
  for (const flag of ['--help', '-h']) {
    let printed = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
    let parsed;
    try {
      parsed = parseCommandArgs('probe', HELP, ['x', flag], { runs: { type: 'string' } });
    } finally {
      process.stdout.write = write;
    }
    assert.equal(parsed, undefined, flag);
    assert.equal(printed, HELP, flag);
  }
});

test('an unknown option or a missing value is a usage error naming the command, followed by its help', () => {
  for (const argv of [['--nope'], ['--runs']]) {
    assert.throws(
      () => parseCommandArgs('probe', HELP, argv, { runs: { type: 'string' } }),
      (err: unknown) => err instanceof CliError && err.exitCode === USAGE_EXIT && err.message.startsWith('probe: ') && err.message.endsWith(HELP),
      argv.join(' '),
    );
  }
});

test('every command refuses an unknown option as a usage error (exit 2), none crashes on it', async () => {
  // lint's table entry loads its module lazily (a path only the bundle resolves): its command directly.
  const all = { ...commands, lint: lintCommand };
  for (const [name, command] of Object.entries(all)) {
    await assert.rejects(
      command.run(['--definitely-not-an-option']),
      (err: unknown) => err instanceof CliError && err.exitCode === USAGE_EXIT && err.message.includes('--definitely-not-an-option'),
      name,
    );
  }
});
