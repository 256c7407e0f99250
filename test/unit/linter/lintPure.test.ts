import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallNames } from '../../../src/linter/callNames';
import { compileGlobs } from '../../../src/linter/globMatch';
import { IgnoreComments } from '../../../src/linter/ignoreComments';
import { compileCallPatterns, compileModulePatterns, resolveLintConfig } from '../../../src/linter/lintConfig';
import { applyEdits } from '../../../src/linter/textEdits';
import { FixStore } from '../../../src/vscode/lint/fixStore';
import { readLintSettings } from '../../../src/vscode/lint/lintSettings';

test('call patterns: * is one segment, ** any number, anchored at both ends', () => {
  const m = compileCallPatterns(['fetch', 'https.*', '**.ec2.*', '**.send']);
  assert.equal(m(['fetch']), true);
  assert.equal(m(['foo', 'fetch']), false);
  assert.equal(m(['https', 'request']), true);
  assert.equal(m(['https', 'request', 'x']), false);
  assert.equal(m(['state', 'cloud', 'ec2', 'runInstances']), true);
  assert.equal(m(['ec2', 'runInstances']), true);
  assert.equal(m(['ec2']), false);
  assert.equal(m(['client', 'send']), true);
  const mod = compileModulePatterns(['pg', '@aws-sdk/*']);
  assert.equal(mod('@aws-sdk/client-s3'), true);
  assert.equal(mod('pg'), true);
  assert.equal(mod('pg-format'), false);
});

test('globs (files.exclude style) match folders and their contents', () => {
  const m = compileGlobs(['**/generated', '*.gen.ts', 'src/{a,b}/*.ts']);
  assert.equal(m('x/generated/y.ts'), true);
  assert.equal(m('generated/y.ts'), true);
  assert.equal(m('foo.gen.ts'), true);
  assert.equal(m('src/a/z.ts'), true);
  assert.equal(m('src/c/z.ts'), false);
  assert.equal(m('generatedx/y.ts'), false);
});

test('call names: which names can reach a catch within a depth, updated per file', () => {
  const n = new CallNames();
  n.setFile('a.ts', [{ name: 'swallow', catches: true, calls: [] }, { name: 'outer', catches: false, calls: ['swallow'] }, { name: 'outer2', catches: false, calls: ['outer'] }]);
  assert.equal(n.mayReachCatch('swallow', 1), true);
  assert.equal(n.mayReachCatch('outer', 1), false);
  assert.equal(n.mayReachCatch('outer', 2), true);
  assert.equal(n.mayReachCatch('outer2', 2), false);
  assert.equal(n.mayReachCatch('outer2', 3), true);
  n.setFile('a.ts', [{ name: 'outer', catches: false, calls: ['swallow'] }]);
  assert.equal(n.mayReachCatch('outer', 2), false, 'the catching function is gone');
  n.setFile('b.ts', [{ name: 'swallow', catches: true, calls: ['outer'] }]);
  assert.equal(n.mayReachCatch('outer', 5), true, 'cycles terminate');
  n.removeFile('b.ts');
  assert.equal(n.mayReachCatch('swallow', 1), false);
});

test('ignore comments cover their own line and the next, for the listed rules or all', () => {
  const text = 'a\n// instrument-first-ignore swallowed-error, unstable-step-id\nb\nc // instrument-first-ignore\nd\n';
  const lineOf = (pos: number): number => text.slice(0, pos).split('\n').length - 1;
  const ig = new IgnoreComments(text, lineOf);
  assert.equal(ig.ignores('swallowed-error', [2]), true);
  assert.equal(ig.ignores('unstable-step-id', [1]), true);
  assert.equal(ig.ignores('uninstrumented-procedure', [2]), false);
  assert.equal(ig.ignores('uninstrumented-procedure', [3]), true);
  assert.equal(ig.ignores('uninstrumented-procedure', [4]), true);
  assert.equal(ig.ignores('swallowed-error', [0, 5]), false);
});

test('config: defaults, validation, and the VS Code settings reader drops bad values', () => {
  const c = resolveLintConfig({ severity: { 'unstable-step-id': 'off' } });
  assert.equal(c.severity['unstable-step-id'], 'off');
  assert.equal(c.severity['swallowed-error'], 'error');
  assert.equal(c.maxCallDepth, 2);
  assert.throws(() => resolveLintConfig({ sideEffectPattern: '(' }));
  const values: Record<string, unknown> = {
    severity: { 'swallowed-error': 'warning', 'no-such': 'error', 'unstable-step-id': 'loud' },
    externalCalls: ['fetch', 3],
    externalModules: null,
    sideEffectPattern: '(',
    maxCallDepth: 9,
    debounceMs: 100,
  };
  const s = readLintSettings((k) => values[k]);
  assert.deepEqual(s, { enabled: true, debounceMs: 100, config: { severity: { 'swallowed-error': 'warning' } } });
});

test('edits apply from the end, so offsets refer to the original text', () => {
  assert.equal(applyEdits('abcdef', [{ start: 1, end: 2, newText: 'XX' }, { start: 4, end: 4, newText: '-' }, { start: 0, end: 0, newText: '>' }]), '>aXXcd-ef');
});

test('fix store: fixes are offered only for the document version they were computed for', () => {
  const store = new FixStore();
  const finding = { rule: 'swallowed-error', severity: 'error', message: 'm', file: '/a.ts', range: { start: 0, end: 1, startLine: 0, startColumn: 0, endLine: 0, endColumn: 1 }, fixes: [] } as const;
  store.set('file:///a.ts', 4, [{ ...finding, fixes: [] }]);
  assert.equal(store.get('file:///a.ts', 4, true).length, 1);
  assert.equal(store.get('file:///a.ts', 5, true).length, 0, 'the text moved on');
  store.set('file:///b.ts', undefined, [{ ...finding, file: '/b.ts', fixes: [] }]);
  assert.equal(store.get('file:///b.ts', 9, false).length, 1, 'the saved file: valid while the document is clean');
  assert.equal(store.get('file:///b.ts', 9, true).length, 0);
});
