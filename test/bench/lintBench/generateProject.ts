import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the generated project holds, to check the analysis against. */
export interface GeneratedProject {
  dir: string;
  tsconfig: string;
  files: number;
  /** `file#Name` keys of every procedure implementer (classes, helper-made and literal procedures by variable). */
  procedures: string[];
  /** Names of look-alike classes/objects that must not be indexed. */
  lookAlikes: string[];
  /** Files to edit when measuring re-lint. */
  editable: string[];
  /** Files whose re-lint needs the type checker (an uninstrumented procedure: its fix reads field types). */
  editableWithChecker: string[];
}

const RUNTIME = `declare global {
  function fetch(input: string): Promise<{ ok: boolean }>;
  function setTimeout(cb: (v?: unknown) => void, ms: number): unknown;
}
export interface Span {
  setAttribute(key: string, value: string | number | boolean): this;
  setAttributes(attributes: Record<string, string | number | boolean | undefined>): this;
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): this;
  recordException(exception: Error | string): void;
}
export interface Logger { info(message: string, fields?: Record<string, unknown>): void; error(message: string, fields?: Record<string, unknown>): void }
export interface PlanContext { readonly pass: number; readonly log: Logger }
export interface StepContext extends PlanContext {
  readonly span: Span;
  readonly depth: number;
  trace<T>(name: string, fn: (span: Span) => Promise<T> | T): Promise<T>;
}
export interface Procedure {
  readonly id: string;
  do(ctx: StepContext): Promise<Procedure[] | void> | Procedure[] | void;
}
export interface Plan {
  readonly name: string;
  create(ctx: PlanContext): Promise<Procedure[]> | Procedure[];
}
export function procedure(id: string, run: (ctx: StepContext) => Promise<Procedure[] | void> | Procedure[] | void): Procedure {
  return { id, do: run };
}
export function plan(name: string, create: (ctx: PlanContext) => Promise<Procedure[]> | Procedure[]): Plan {
  return { name, create };
}
`;

/** One module: a domain model with ordinary code, and procedures of every kind plus look-alikes. */
function moduleText(i: number, g: GeneratedProject, rel: string): string {
  const key = (name: string): string => `${rel}#${name}`;
  const prev = i > 0 ? `import { Model${i - 1}, helper${i - 1} } from './m${i - 1}';\n` : '';
  const lines: string[] = [
    `import { procedure, type Procedure, type StepContext, type Plan, type PlanContext } from 'instrument-first';`,
    prev,
    `export interface Record${i} { readonly key: string; size: number; tags: string[]; nested: { a: number; b: string } }`,
    `export class Model${i} {`,
    `  private readonly items = new Map<string, Record${i}>();`,
    `  add(r: Record${i}): void { this.items.set(r.key, { ...r, tags: [...r.tags].sort() }); }`,
    `  total(): number { let n = 0; for (const r of this.items.values()) n += r.size * r.nested.a; return n; }`,
    `  find(pred: (r: Record${i}) => boolean): Record${i} | undefined { for (const r of this.items.values()) if (pred(r)) return r; return undefined; }`,
    `  keys(): string[] { return [...this.items.keys()].filter((k) => k.length > 0).map((k) => k.toUpperCase()); }`,
    `  async remote(key: string): Promise<Record${i}> { await new Promise((r) => setTimeout(r, 0)); return { key, size: key.length, tags: [], nested: { a: 1, b: key } }; }`,
    `}`,
    `export function helper${i}(xs: readonly number[]): { sum: number; max: number } {`,
    `  return xs.reduce((acc, x) => ({ sum: acc.sum + x, max: Math.max(acc.max, x) }), { sum: 0, max: -Infinity });`,
    `}`,
    i > 0 ? `const reuse${i} = helper${i - 1}([1, 2, 3]).sum + new Model${i - 1}().total();` : `const reuse${i} = 0;`,
    `export class Step${i} implements Procedure {`,
    `  readonly id = 'step-${i}';`,
    `  constructor(private readonly model: Model${i}, private readonly size: number) {}`,
    `  async do(ctx: StepContext): Promise<Procedure[]> {`,
    // every fifth step records nothing (uninstrumented; its fix asks the checker for field types)
    i % 5 === 0 ? `    const r = await this.model.remote('k${i}'); void ctx; void reuse${i};` : `    const r = await ctx.trace('remote ${i}', () => this.model.remote('k${i}'));`,
    i % 5 === 0 ? `` : `    ctx.span.setAttribute('record.size', r.size + this.size + reuse${i});`,
    i % 7 === 0 ? `    try { this.model.add(r); } catch (e) { void e; }` : `    this.model.add(r);`,
    i % 6 === 0 ? `    await fetch('https://example.invalid/${i}');` : ``,
    `    return this.model.total() > 10 ? [new Child${i}('c')] : [];`,
    `  }`,
    `}`,
    `class Child${i} {`,
    `  readonly id: string;`,
    `  constructor(name: string) { this.id = 'child-${i}-' + name; }`,
    `  do(ctx: StepContext): void { ctx.log.info('child', { i: ${i} }); }`,
    `}`,
  ];
  g.procedures.push(key(`Step${i}`), key(`Child${i}`));
  if (i % 3 === 0) {
    lines.push(`export const made${i} = procedure('made-${i}', async (ctx) => { ctx.span.addEvent('made'); });`);
    g.procedures.push(key(`made${i}`));
    lines.push(`export class LookAlike${i} { readonly id = 'x${i}'; do(x: number): number { return x * 2; } }`);
    g.lookAlikes.push(`LookAlike${i}`);
  }
  if (i % 4 === 0) {
    lines.push(`export const literal${i}: Procedure = { id: 'literal-${i}', async do(ctx) { ctx.log.info('literal'); } };`);
    g.procedures.push(key(`literal${i}`));
    lines.push(`export const notStep${i} = { id: ${i}, do(a: string, b: string) { return a + b; } };`);
    g.lookAlikes.push(`notStep${i}`);
  }
  if (i % 10 === 0) {
    lines.push(
      `export class Plan${i} implements Plan {`,
      `  readonly name = 'plan-${i}';`,
      `  private readonly model = new Model${i}();`,
      `  create(ctx: PlanContext): Procedure[] { ctx.log.info('planned'); return this.model.keys().length ? [] : [new Step${i}(this.model, 3)]; }`,
      `}`,
    );
  }
  return lines.filter((l) => l !== '').join('\n') + '\n';
}

/** Writes a project of `files` modules (plus the runtime stub) to `dir`, replacing what was there. */
export function generateProject(dir: string, files: number): GeneratedProject {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'runtime'), { recursive: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'runtime', 'index.ts'), RUNTIME);
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022', lib: ['ES2022'], module: 'commonjs', moduleResolution: 'node', strict: true, noEmit: true,
          skipLibCheck: true, types: [], baseUrl: '.', paths: { 'instrument-first': ['./runtime/index.ts'] },
        },
        include: ['src/**/*.ts', 'runtime/**/*.ts'],
      },
      null,
      2,
    ),
  );
  const g: GeneratedProject = { dir, tsconfig, files, procedures: [], lookAlikes: [], editable: [], editableWithChecker: [] };
  for (let i = 0; i < files; i++) {
    const rel = join(dir, 'src', `m${i}.ts`);
    writeFileSync(rel, moduleText(i, g, rel));
    const every = Math.max(1, Math.floor(files / 25));
    if (i % every === 1) g.editable.push(rel);
    if (i % every === 5 || (every === 1 && i % 5 === 0)) g.editableWithChecker.push(rel);
  }
  return g;
}
