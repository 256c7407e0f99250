// A user's own project, from nothing, in a real VS Code: the window is open on an empty folder
// outside this repository. Set Up This Project → run the example plan → durations in CodeLens →
// lint hints, with nothing edited by hand (the test only calls commands, and adds one more plan
// file the way a user would save one, to see a hint).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SetUpResult } from '../../../src/project/setUpProject';
import { suite, test } from '../suite/harness';
import { codeLenses, openFile, waitFor, waitForCodeLens, waitForDiagnostics, workspaceRoot, workspaceUri } from '../suite/helpers';
import { finishedRun, lineOfText, runToEnd, services } from '../suite/planRuns';

const PLAN = 'plans/hello.ts';

suite('own project', () => {
  let started = 0;

  test('the folder is empty and outside the repository', () => {
    const root = workspaceRoot().fsPath;
    assert.deepEqual(readdirSync(root), []);
    const s = vscode.extensions.getExtension('instrument-first.instrument-first');
    assert.ok(s);
    assert.ok(!root.startsWith(s.extensionUri.fsPath), `${root} is not inside ${s.extensionUri.fsPath}`);
  });

  test('Set Up This Project adds the runtime, an example plan, tsconfig, .gitignore and a launch configuration, and installs', async () => {
    started = Date.now();
    const result = await vscode.commands.executeCommand<SetUpResult | undefined>('instrumentFirst.setUpProject');
    assert.ok(result, 'the command returned its result');
    const paths = result.scaffold.changes.map((c) => c.path);
    for (const p of ['package.json', PLAN, 'tsconfig.json', '.gitignore', '.vscode/launch.json']) assert.ok(paths.includes(p), `${p} in ${JSON.stringify(paths)}`);
    assert.ok(paths.some((p) => /^vendor\/instrument-first-.*\.tgz$/.test(p)), 'the carried runtime tarball, vendored');
    assert.ok(result.install?.ok, `npm install: ${result.install?.output ?? 'did not run'}`);
    const root = workspaceRoot().fsPath;
    assert.ok(existsSync(join(root, 'node_modules', 'instrument-first', 'dist', 'types', 'runtime', 'index.d.ts')));
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, join(root, 'plans', 'hello.ts'), 'the example plan is open');
    console.log(`    [measure] Set Up This Project: ${((Date.now() - started) / 1000).toFixed(1)} s (npm install ${((result.install?.ms ?? 0) / 1000).toFixed(1)} s)`);
  }, { timeout: 240_000 });

  test('the example plan runs with the workspace installed runtime and converges in two passes with one traced call', async () => {
    const s = await services();
    const session = await runToEnd(PLAN);
    assert.match(session.runtime ?? '', /^workspace: instrument-first \d+\.\d+\.\d+ \(node_modules\/instrument-first\)$/, session.runtime);
    const run = await finishedRun(s, session, `the run of ${PLAN}`);
    assert.equal(run.plan, 'hello');
    assert.equal(run.status, 'converged');
    assert.equal(run.passes, 2);
    const names = (s.collector.store?.trace(run.traceId) ?? []).map((sp) => sp.name);
    assert.ok(names.includes('GreetingService publish'), JSON.stringify(names));
    console.log(`    [measure] set up → first traced run in VS Code: ${((Date.now() - started) / 1000).toFixed(1)} s (goal 60 s)`);
  }, { timeout: 180_000 });

  test('CodeLens above the plan and its procedure carry the measured durations', async () => {
    const uri = workspaceUri(PLAN);
    await waitForCodeLens(uri, /^converged in 2 passes · [\d.]+ (ms|s)$/);
    const doc = await vscode.workspace.openTextDocument(uri);
    const lenses = await codeLenses(uri);
    const line = lineOfText(doc, 'class PublishGreeting');
    const titles = lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
    assert.equal(titles.length, 1, JSON.stringify(titles));
    assert.match(titles[0]!, /^[\d.]+ (ms|s)( · |$)/);
  }, { timeout: 60_000 });

  test('lint hints: the example is clean; a new plan with an untraced fetch gets a hint linking to the rule page in the extension', async () => {
    const example = workspaceUri(PLAN);
    const file = join(workspaceRoot().fsPath, 'plans', 'status.ts');
    writeFileSync(
      file,
      [
        "import { plan, type Procedure, type StepContext } from 'instrument-first';",
        '',
        'class CheckStatus implements Procedure {',
        "  readonly id = 'check_status';",
        '  async do(ctx: StepContext): Promise<void> {',
        "    const res = await fetch('http://127.0.0.1:9/status');",
        "    ctx.span.setAttribute('http.status', res.status);",
        '  }',
        '}',
        '',
        "export default plan('status', () => [new CheckStatus()]);",
        '',
      ].join('\n'),
    );
    const editor = await openFile('plans/status.ts');
    const diagnostics = await waitForDiagnostics(editor.document.uri, 'instrument-first', { timeout: 60_000 });
    const hint = diagnostics.find((d) => typeof d.code === 'object' && d.code.value === 'untraced-external-call');
    assert.ok(hint, JSON.stringify(diagnostics.map((d) => d.message)));
    const target = (hint.code as { target: vscode.Uri }).target;
    assert.equal(target.scheme, 'file');
    assert.match(target.path, /\/docs\/rules\/untraced-external-call\.md$/);
    assert.ok(existsSync(target.fsPath), `${target.fsPath} exists`);
    await waitFor(() => vscode.languages.getDiagnostics(example).filter((d) => d.source === 'instrument-first').length === 0, {
      message: 'no hints on the example plan',
    });
  }, { timeout: 90_000 });
});
