// Builds the extension, the CLI, the runtime, the testing API and the webview bundles into dist/ (one
// esbuild context per entry), and with --tests transforms src/ and test/ file by file into out/ so that
// node's test runner can run them (benchmark processes bundled). Flags: --watch, --production, --tests.
// Beside the bundles, the package's declaration files ("." and "./testing": dist/types/, by
// tsconfig.types.json).
import * as esbuild from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** Packages that must stay outside the bundles: native code, or loaded lazily from node_modules. */
const nodeExternals = ['vscode', 'esbuild', 'ts-morph', 'playwright-core', '@vscode/test-electron'];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: nodeExternals,
  // OTel packages ship both ESM and CJS; prefer the CJS entry for a CJS bundle.
  mainFields: ['main', 'module'],
};

/** @type {esbuild.BuildOptions[]} */
const entries = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['src/runtime/index.ts'], outfile: 'dist/runtime.js' },
  // instrument-first/testing: one CommonJS bundle; ESM imports it through Node's CJS interop (named
  // exports are detected), so one copy serves both and runs cannot split across two module graphs.
  { ...common, entryPoints: ['src/testing/index.ts'], outfile: 'dist/testing.js' },
  { ...common, entryPoints: ['src/collector/ingest/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' },
  { ...common, entryPoints: ['src/collector/grpc/grpcSessionWorker.ts'], outfile: 'dist/grpcSessionWorker.js' },
];
const optional = [
  { ...common, entryPoints: ['src/linter/lintWorker.ts'], outfile: 'dist/lintWorker.js' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    external: [],
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
  },
];
for (const o of optional) if (exists(o.entryPoints[0])) entries.push(o);

function exists(p) {
  try { statSync(p); return true; } catch { return false; }
}

function listTs(dir, skip = []) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip.some((s) => p.startsWith(s))) continue;
    if (statSync(p).isDirectory()) out.push(...listTs(p, skip));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

async function buildTests() {
  rmSync('out', { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [...listTs('src', ['src/webview']), ...listTs('test', ['test/fixtures'])],
    outbase: '.',
    outdir: 'out',
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // Benchmarks measure the code as it ships: bundled, like dist/ (transformed file by file, every
  // imported name is read through a getter of the module object). Their decode worker beside them.
  const benches = [
    ['test/bench/collector/server.ts', 'out/test/bench/collector'],
    ['test/bench/extensionBench.ts', 'out/test/bench'],
    ['test/bench/memoryBench.ts', 'out/test/bench'],
    ['test/bench/traceTestBench.ts', 'out/test/bench'],
    ['test/bench/batchBench.ts', 'out/test/bench'],
    ['test/bench/decodeBench.ts', 'out/test/bench'],
    ['test/bench/storeIngestBench.ts', 'out/test/bench'],
  ];
  await Promise.all(
    benches.flatMap(([entry, dir]) => [
      esbuild.build({ ...common, entryPoints: [entry], outfile: join(dir, entry.split('/').pop().replace(/\.ts$/, '.js')) }),
      esbuild.build({ ...common, entryPoints: ['src/collector/ingest/decodeWorker.ts'], outfile: join(dir, 'decodeWorker.js') }),
      esbuild.build({ ...common, entryPoints: ['src/collector/grpc/grpcSessionWorker.ts'], outfile: join(dir, 'grpcSessionWorker.js') }),
    ]),
  );
}

/** `tsc -p tsconfig.types.json` in a child process, alongside esbuild (about 4 s). */
function emitDeclarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  rmSync('dist/types', { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`declarations: tsc exited with ${code}`))));
  });
}

if (watch) {
  const contexts = await Promise.all(entries.map((e) => esbuild.context(e)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${entries.length} entries…`);
} else {
  // Type declarations of the package's entries ("." and "./testing") into dist/types, beside the bundles.
  await Promise.all([...entries.map((e) => esbuild.build(e)), emitDeclarations(), tests ? buildTests() : undefined]);
}
