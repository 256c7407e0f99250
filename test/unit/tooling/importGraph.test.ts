import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The layer rules of the house, checked on the source text itself: this test reads every file of
// src/, resolves its relative imports (type-only ones too: a type import is still a dependency of
// the concept) and fails on circles and on imports that point the wrong way.

const root = resolve('src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier of a file: static imports/exports, dynamic import() and require(). */
function specifiers(text: string): string[] {
  const noComments = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of noComments.matchAll(re)) out.push(m[1]!);
  return out;
}

function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

const rel = (p: string): string => relative(root, p).split(sep).join('/');

interface Graph { edges: Map<string, string[]>; external: Map<string, string[]> }

function buildGraph(): Graph {
  const edges = new Map<string, string[]>();
  const external = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const specs = specifiers(readFileSync(file, 'utf8'));
    const local: string[] = [];
    const ext: string[] = [];
    for (const s of specs) {
      const target = resolveLocal(file, s);
      if (target) local.push(rel(target));
      else if (!s.startsWith('.')) ext.push(s);
      else assert.fail(`${rel(file)}: import '${s}' does not resolve`);
    }
    edges.set(rel(file), [...new Set(local)]);
    external.set(rel(file), [...new Set(ext)]);
  }
  return { edges, external };
}

/** Strongly connected components with more than one file (or a file importing itself). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  // Iterative Tarjan: the graph is small, but recursion depth is not ours to bound.
  for (const start of edges.keys()) {
    if (idx.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    idx.set(start, index); low.set(start, index); index++; stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = edges.get(top.node) ?? [];
      if (top.next < succ.length) {
        const w = succ[top.next++]!;
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++; stack.push(w); onStack.add(w);
          work.push({ node: w, next: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === idx.get(top.node)) {
        const component: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== top.node);
        if (component.length > 1 || succ.includes(top.node)) found.push(component.sort());
      }
    }
  }
  return found;
}

const graph = buildGraph();

test('import graph: the reader sees the files and their imports (sanity of the check itself)', () => {
  assert.ok(graph.edges.size > 100, `${graph.edges.size} files`);
  assert.ok((graph.edges.get('extension.ts') ?? []).length > 0);
  assert.ok((graph.external.get('vscode/services.ts') ?? []).includes('vscode'));
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', []]])).map((c) => c.join(',')), ['a,b,c', 'd']);
});

test('import graph: no import circles anywhere in src/', () => {
  assert.deepEqual(cycles(graph.edges), []);
});

test('import graph: protocol/ imports nothing outside protocol/', () => {
  const bad: string[] = [];
  for (const [file, targets] of graph.edges) {
    if (!file.startsWith('protocol/')) continue;
    for (const t of targets) if (!t.startsWith('protocol/')) bad.push(`${file} -> ${t}`);
  }
  assert.deepEqual(bad, []);
});

test('import graph: collector/store/ never imports collector/ingest/', () => {
  const bad: string[] = [];
  for (const [file, targets] of graph.edges) {
    if (!file.startsWith('collector/store/')) continue;
    for (const t of targets) if (t.startsWith('collector/ingest/')) bad.push(`${file} -> ${t}`);
  }
  assert.deepEqual(bad, []);
  assert.ok([...graph.edges.keys()].some((f) => f.startsWith('collector/store/')), 'collector/store/ exists');
  assert.ok([...graph.edges.keys()].some((f) => f.startsWith('collector/ingest/')), 'collector/ingest/ exists');
});

test('import graph: only src/vscode/ and src/extension.ts import vscode', () => {
  const bad: string[] = [];
  for (const [file, ext] of graph.external) {
    if (file.startsWith('vscode/') || file === 'extension.ts') continue;
    if (ext.includes('vscode')) bad.push(file);
  }
  assert.deepEqual(bad, []);
});

test('import graph: cli/ is a top layer (nothing else imports it); text/ renders from protocol/ and trace/ only; trace/ builds on protocol/ alone', () => {
  const bad: string[] = [];
  for (const [file, targets] of graph.edges) {
    for (const t of targets) {
      if (t.startsWith('cli/') && !file.startsWith('cli/')) bad.push(`${file} -> ${t}`);
      if (file.startsWith('text/') && !/^(text|protocol|trace)\//.test(t)) bad.push(`${file} -> ${t}`);
      if (file.startsWith('trace/') && !/^(trace|protocol)\//.test(t)) bad.push(`${file} -> ${t}`);
    }
  }
  assert.deepEqual(bad, []);
  assert.ok([...graph.edges.keys()].some((f) => f.startsWith('text/')), 'text/ exists');
  assert.ok([...graph.edges.keys()].some((f) => f.startsWith('trace/')), 'trace/ exists');
});
