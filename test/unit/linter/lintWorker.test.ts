import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LintWorkerClient } from '../../../src/linter/lintWorkerClient';
import { FIXTURES } from './lintTestSession';

// The compiled worker next to this compiled test: out/src/linter/lintWorker.js
const workerPath = join(__dirname, '../../../src/linter/lintWorker.js');

test('the worker thread answers init, updateFile, getIndex, getCoverage and errors, then disposes', async () => {
  const client = new LintWorkerClient(workerPath);
  try {
    await client.ready;
    const summary = await client.request({ type: 'init', options: { roots: [FIXTURES], tsConfigFilePath: join(FIXTURES, 'tsconfig.json') } });
    assert.ok(summary.procedures >= 6);
    const file = join(FIXTURES, 'cases/workerCase.ts');
    const text = `import type { Procedure } from 'instrument-first';\nexport class W implements Procedure { readonly id = 'w'; do() {} }\n`;
    const findings = await client.request({ type: 'updateFile', file, text, version: 3 });
    assert.equal(findings.version, 3);
    assert.deepEqual(findings.findings.map((f) => f.rule), ['uninstrumented-procedure']);
    assert.ok(findings.findings[0]!.fixes.length >= 2);
    const index = await client.request({ type: 'getIndex' });
    const w = index.procedures.find((p) => p.file === file)!;
    assert.equal(w.doRange.startLine, 1);
    const coverage = await client.request({ type: 'getCoverage', executedIds: ['w'] });
    assert.ok(coverage.procedures.find((p) => p.id === 'w')!.executed);
    await assert.rejects(client.request({ type: 'getFindings', file: 42 as unknown as string }), /malformed request/);
    assert.equal(await client.request({ type: 'dispose' }), null);
  } finally {
    await client.dispose();
  }
});
