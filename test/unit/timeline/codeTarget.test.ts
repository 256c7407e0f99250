import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { resolveCodeTarget, samePath, type ProcedureLocation } from '../../../src/timelineModel/codeTarget';
import { findDoInClass, locateProcedures } from '../../../src/timelineModel/doLocator';
import { span } from './spanFixtures';

const proc = (file: string, typeName: string, id: string | undefined, line: number): ProcedureLocation => ({
  file,
  typeName,
  name: typeName,
  id: id === undefined ? {} : { value: id },
  doRange: { startLine: line, startColumn: 2 },
});

const index = [
  proc('/ws/plans/create-cluster.ts', 'RegisterNodes', 'register_cluster_node_to_lb', 40),
  proc('/ws/plans/a.ts', 'CreateBucket', 'create_bucket', 10),
  proc('/ws/plans/b.ts', 'CreateBucket', 'create_bucket', 20),
  proc('/ws/plans/c.ts', 'function', 'helper_step', 5),
  proc('/ws/plans/d.ts', 'function', 'other_step', 7),
];
const step = (attrs: Record<string, string | number>) => span('s', 'p', 0, 1, { 'instrument_first.kind': 'step', ...attrs });

void test('a step lands on its procedure do() from the index', () => {
  const t = resolveCodeTarget([step({ 'procedure.id': 'register_cluster_node_to_lb', 'procedure.type': 'RegisterNodes' })], index);
  assert.deepEqual(t, { file: '/ws/plans/create-cluster.ts', line: 40, column: 2, source: 'index' });
});

void test('two files declare the same class name: code.filepath decides', () => {
  const a = resolveCodeTarget([step({ 'procedure.id': 'create_bucket', 'procedure.type': 'CreateBucket', 'code.filepath': '/ws/plans/b.ts' })], index);
  assert.equal(a?.file, '/ws/plans/b.ts');
  assert.equal(a?.line, 20);
  assert.equal(a?.ambiguous, undefined);
  // Relative paths match as suffixes.
  const r = resolveCodeTarget([step({ 'procedure.id': 'create_bucket', 'procedure.type': 'CreateBucket', 'code.filepath': 'plans/a.ts' })], index);
  assert.equal(r?.file, '/ws/plans/a.ts');
  // Without a path it is ambiguous; the first is taken and flagged.
  const amb = resolveCodeTarget([step({ 'procedure.id': 'create_bucket', 'procedure.type': 'CreateBucket' })], index);
  assert.equal(amb?.ambiguous, true);
});

void test('helper-made steps (procedure.type "function") are matched by id', () => {
  const t = resolveCodeTarget([step({ 'procedure.id': 'other_step', 'procedure.type': 'function' })], index);
  assert.equal(t?.file, '/ws/plans/d.ts');
  assert.equal(t?.line, 7);
});

void test('a child span with code.* lands on its own line (1-based lineno → 0-based line)', () => {
  const call = span('c', 's', 0, 1, { 'instrument_first.kind': 'call', 'code.filepath': '/ws/cloud/x.ts', 'code.lineno': 12, 'code.column': 5 });
  assert.deepEqual(resolveCodeTarget([call, step({ 'procedure.id': 'create_bucket', 'procedure.type': 'CreateBucket' })], index), {
    file: '/ws/cloud/x.ts',
    line: 11,
    column: 4,
    source: 'attributes',
  });
});

void test('a child span without code.* goes to its step; unknown steps fall back to their code.filepath', () => {
  const call = span('c', 's', 0, 1, { 'instrument_first.kind': 'call' });
  assert.equal(resolveCodeTarget([call, step({ 'procedure.id': 'register_cluster_node_to_lb', 'procedure.type': 'RegisterNodes' })], index)?.line, 40);
  assert.deepEqual(resolveCodeTarget([step({ 'procedure.id': 'x', 'procedure.type': 'Unknown', 'code.filepath': '/ws/u.ts' })], index), {
    file: '/ws/u.ts',
    line: 0,
    column: 0,
    source: 'attributes',
  });
  assert.equal(resolveCodeTarget([span('o', undefined, 0, 1)], index), undefined);
});

void test('path comparison', () => {
  assert.ok(samePath('C:\\ws\\a.ts', 'C:/ws/a.ts'));
  assert.ok(samePath('/ws/plans/a.ts', './plans/a.ts'));
  assert.ok(!samePath('/ws/plans/a.ts', 'lans/a.ts'));
  assert.ok(!samePath('/ws/a.ts', '/other/a.ts'));
});

void test('fallback index from file text: do() inside the right class', () => {
  const text = [
    'import x from "y";',
    'export class CreateBucket implements Procedure {',
    "  readonly id = 'create_bucket';",
    '  async do(ctx: StepContext) {',
    '  }',
    '}',
    'class Other {',
    '  do() {}',
    '}',
  ].join('\n');
  assert.deepEqual(findDoInClass(text, 'CreateBucket'), { line: 3, column: 8 });
  assert.deepEqual(findDoInClass(text, 'Other'), { line: 7, column: 2 });
  assert.equal(findDoInClass(text, 'Missing'), undefined);
  const locs = locateProcedures('/ws/a.ts', text, [
    { kind: 'class', key: 'CreateBucket', line: 1, id: 'create_bucket' },
    { kind: 'function', key: 'helper', line: 12 },
  ]);
  assert.deepEqual(locs[0], { file: '/ws/a.ts', typeName: 'CreateBucket', name: 'CreateBucket', id: { value: 'create_bucket' }, doRange: { startLine: 3, startColumn: 8 } });
  assert.deepEqual(locs[1]!.doRange, { startLine: 12, startColumn: 0 });
});
