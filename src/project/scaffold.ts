// What `instrument-first init` and "Instrument First: Set Up This Project" change in a project,
// decided from the files' current text alone (pure: the callers read and write). Each piece is
// added only when missing; a file we cannot read safely (invalid JSON, comments we would lose) is
// left alone and named in `advice` with what to add by hand.
import { EXAMPLE_PLAN, EXAMPLE_PLAN_PATH, GITIGNORE_ENTRY, NEW_TSCONFIG, launchConfigurations } from './exampleFiles';
import { PACKAGE_NAME } from './runtimeInstall';

/** The project files the scaffolder looks at: their text, or undefined when absent. */
export interface ProjectFiles {
  packageJson?: string;
  tsconfig?: string;
  gitignore?: string;
  launchJson?: string;
  /** True when plans/ already holds a .ts or .js file. */
  hasPlans: boolean;
}

export interface ScaffoldOptions {
  /** `name` of a package.json created from nothing. */
  projectName: string;
  /** The dependency spec for the runtime, e.g. `file:vendor/instrument-first-0.1.0.tgz` or `^0.1.0`. */
  runtimeSpec: string;
  /** When the spec points at a tarball inside the project: where it goes, and the file to copy there. */
  vendor?: { path: string; copyFrom: string };
  /** Exact versions for typescript and @types/node when the project has neither. */
  typescriptVersion: string;
  typesNodeVersion: string;
}

export interface FileChange {
  /** Project-relative, with forward slashes. */
  path: string;
  action: 'create' | 'update';
  /** New text of the file; absent for a copied file. */
  content?: string;
  copyFrom?: string;
  /** One line: what changed and why. */
  summary: string;
}

export interface Scaffold {
  changes: FileChange[];
  /** What was already there and left as it was. */
  kept: string[];
  /** Files left alone because they could not be edited safely, with what to add by hand. */
  advice: string[];
  /** True when package.json's dependencies changed, so `npm install` should run. */
  needsInstall: boolean;
}

type Json = Record<string, unknown>;

export function planScaffold(files: ProjectFiles, options: ScaffoldOptions): Scaffold {
  const out: Scaffold = { changes: [], kept: [], advice: [], needsInstall: false };
  packageJson(files.packageJson, options, out);
  if (files.hasPlans) out.kept.push('plans/ already has plans: no example added');
  else out.changes.push({ path: EXAMPLE_PLAN_PATH, action: 'create', content: EXAMPLE_PLAN, summary: 'an example plan: two passes, one traced call' });
  tsconfig(files.tsconfig, out);
  gitignore(files.gitignore, out);
  launchJson(files.launchJson, out);
  return out;
}

function packageJson(text: string | undefined, o: ScaffoldOptions, out: Scaffold): void {
  let pkg: Json;
  if (text === undefined) {
    pkg = { name: npmName(o.projectName), version: '0.0.0', private: true };
  } else {
    const parsed = parseJson(text);
    if (!parsed) {
      out.advice.push(`package.json is not valid JSON: left alone; add "${PACKAGE_NAME}": "${o.runtimeSpec}" to its devDependencies`);
      return;
    }
    pkg = parsed;
  }
  const has = (name: string) => [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].some((d) => isObject(d) && name in d);
  const wanted: Array<[string, string]> = [
    [PACKAGE_NAME, o.runtimeSpec],
    ['typescript', o.typescriptVersion],
    ['@types/node', o.typesNodeVersion],
  ];
  const added = wanted.filter(([name]) => !has(name));
  for (const [name] of wanted) if (!added.some(([n]) => n === name)) out.kept.push(`package.json already depends on ${name}`);
  if (added.length === 0 && text !== undefined) return;
  const dev: Json = isObject(pkg.devDependencies) ? { ...pkg.devDependencies } : {};
  for (const [name, spec] of added) dev[name] = spec;
  pkg.devDependencies = sortKeys(dev);
  const summary = `${text === undefined ? 'created, with' : 'added'} devDependencies ${added.map(([n, s]) => `${n}@${s}`).join(', ')}`;
  out.changes.push({ path: 'package.json', action: text === undefined ? 'create' : 'update', content: JSON.stringify(pkg, null, 2) + '\n', summary });
  if (o.vendor && added.some(([n]) => n === PACKAGE_NAME)) {
    out.changes.push({ path: o.vendor.path, action: 'create', copyFrom: o.vendor.copyFrom, summary: `the ${PACKAGE_NAME} package the dependency installs from (until it is published)` });
  }
  out.needsInstall = added.length > 0;
}

function tsconfig(text: string | undefined, out: Scaffold): void {
  if (text === undefined) {
    out.changes.push({ path: 'tsconfig.json', action: 'create', content: JSON.stringify(NEW_TSCONFIG, null, 2) + '\n', summary: 'strict TypeScript for plans/, types from the installed runtime' });
    return;
  }
  const parsed = parseJsonc(text);
  if (!parsed) {
    out.advice.push('tsconfig.json could not be read: left alone; make sure its "include" covers plans/**/*.ts');
    return;
  }
  const include = parsed.include;
  if (include === undefined || (Array.isArray(include) && include.some((p) => typeof p === 'string' && coversPlans(p)))) {
    out.kept.push('tsconfig.json already covers plans/');
    return;
  }
  if (!Array.isArray(include) || hasComments(text)) {
    out.advice.push('tsconfig.json: add "plans/**/*.ts" to "include" (not edited: it has comments we would lose)');
    return;
  }
  parsed.include = [...include, 'plans/**/*.ts'];
  out.changes.push({ path: 'tsconfig.json', action: 'update', content: JSON.stringify(parsed, null, 2) + '\n', summary: 'added plans/**/*.ts to "include"' });
}

function gitignore(text: string | undefined, out: Scaffold): void {
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => /^\/?\.instrument-first\/?(\*\*?)?$/.test(l))) {
    out.kept.push('.gitignore already ignores .instrument-first/');
    return;
  }
  const entries = [GITIGNORE_ENTRY, ...(text === undefined ? ['node_modules/'] : [])];
  const content = text === undefined ? entries.join('\n') + '\n' : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${GITIGNORE_ENTRY}\n`;
  out.changes.push({
    path: '.gitignore',
    action: text === undefined ? 'create' : 'update',
    content,
    summary: `ignore ${GITIGNORE_ENTRY} (saved runs)${text === undefined ? ' and node_modules/' : ''}`,
  });
}

function launchJson(text: string | undefined, out: Scaffold): void {
  const configs = launchConfigurations(EXAMPLE_PLAN_PATH);
  if (text === undefined) {
    out.changes.push({
      path: '.vscode/launch.json',
      action: 'create',
      content: JSON.stringify({ version: '0.2.0', configurations: configs }, null, 2) + '\n',
      summary: 'launch configurations: run the example plan, run the open plan (F5)',
    });
    return;
  }
  const parsed = parseJsonc(text);
  const existing = parsed && Array.isArray(parsed.configurations) ? (parsed.configurations as unknown[]) : undefined;
  if (existing?.some((c) => isObject(c) && c.type === 'instrument-first')) {
    out.kept.push('.vscode/launch.json already has an instrument-first configuration');
    return;
  }
  if (!parsed || (parsed.configurations !== undefined && !existing) || hasComments(text)) {
    out.advice.push(`.vscode/launch.json: add ${JSON.stringify(configs[1])} to "configurations" (not edited: ${parsed ? 'it has comments we would lose' : 'it could not be read'})`);
    return;
  }
  parsed.configurations = [...(existing ?? []), ...configs];
  out.changes.push({ path: '.vscode/launch.json', action: 'update', content: JSON.stringify(parsed, null, 2) + '\n', summary: 'added instrument-first launch configurations' });
}

/** A valid npm package name from a folder name. */
export function npmName(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._~-]+/g, '-').replace(/^[._-]+|-+$/g, '').slice(0, 214);
  return name || 'plans';
}

function coversPlans(pattern: string): boolean {
  const p = pattern.replace(/^\.\//, '');
  return p === '.' || p === '**/*' || p === '**/*.ts' || p === 'plans' || p.startsWith('plans/') || p === '*';
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(o: Json): Json {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function parseJson(text: string): Json | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** JSON with comments and trailing commas, as tsconfig.json and launch.json allow. */
function parseJsonc(text: string): Json | undefined {
  return parseJson(stripComments(text).replace(/,(\s*[}\]])/g, '$1'));
}

function hasComments(text: string): boolean {
  return stripComments(text) !== text;
}

/** Removes // and /* *\/ comments outside strings. */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
