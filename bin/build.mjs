// Compiles the command line and every module of the codebase into one
// CommonJS bundle, dist/aegir.cjs, with esbuild, and loads it with a V8 code
// cache (dist/aegir.cjs.cache). Both matter for a cold `aegir status`, which
// must stay well under 300 ms on a slow machine: Node 20 loads one bundle
// several times faster than the same code as hundreds of ES modules, and
// with the code cache it skips parsing the megabyte of knex and friends
// (Node 22 has this built in as module.enableCompileCache; Node 20 does not).
// Module entries are listed in the bundle by path so the module loader
// answers from it. Native and optional database drivers stay external, and
// so does express with what it brings (a third of the bundle otherwise):
// only the web server needs it, and loads it from node_modules when it
// starts, so no command pays for reading and compiling it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import vm from 'node:vm';

const STAMP = '.build-stamp';
const BUNDLE = 'aegir.cjs';
const EXTERNAL = [
  'express', 'better-sqlite3', 'mysql2', 'ssh2', 'cpu-features', 'esbuild', 'tsx', 'tsx/*',
  'pg', 'pg-query-stream', 'sqlite3', 'tedious', 'oracledb', 'mysql', 'mariadb', 'mariadb/*',
];
const SKIP = new Set(['node_modules', 'test', 'files', 'private', 'dist']);

/**
 * knex's dialects for databases Aegir does not run on (a sixth of knex's
 * code): left out of the bundle, each replaced by an error naming the
 * drivers there are. Every command would otherwise read and compile them.
 */
const UNUSED_DIALECT = /^\.\/(cockroachdb|mssql|mariadb|oracle|oracledb|pgnative|postgres|redshift)$/;
const unusedDialects = {
  name: 'unused-knex-dialects',
  setup(b) {
    b.onResolve({ filter: UNUSED_DIALECT }, (args) => (/knex[\\/]lib[\\/]dialects[\\/]index\.js$/.test(args.importer) ? { path: args.path.slice(2), namespace: 'unused-dialect' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'unused-dialect' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`knex's ${args.path} dialect is not in Aegir's program: Aegir runs on SQLite and MySQL/MariaDB (client better-sqlite3 or mysql2).`)});`,
      loader: 'js',
    }));
  },
};

function listDir(dir) {
  try { return readdirSync(dir, { withFileTypes: true }); } catch { return []; }
}

function isDir(p, e) {
  try { return e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory()); } catch { return false; }
}

/** Every file whose change means a rebuild: .ts sources and module manifests. */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const e of listDir(dir)) {
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const p = join(dir, e.name);
      if (isDir(p, e)) walk(p);
      else if ((e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.endsWith('.test.ts')) || e.name === 'module.json') out.push(p);
    }
  };
  for (const d of ['core', 'modules', 'profiles']) walk(join(root, d));
  for (const e of listDir(join(root, 'sites'))) walk(join(root, 'sites', e.name, 'modules'));
  return out;
}

/** Module entry files (from each module.json's "main", default index.ts), relative to root. */
export function moduleEntries(root) {
  const out = [];
  for (const f of sourceFiles(root)) {
    if (!f.endsWith('module.json')) continue;
    let main = 'index.ts';
    try { main = JSON.parse(readFileSync(f, 'utf8')).main ?? 'index.ts'; } catch { continue; }
    const entry = join(f, '..', main);
    if (existsSync(entry) && entry.endsWith('.ts')) out.push(relative(root, entry));
  }
  return out.sort();
}

/** Whether dist/ is missing or older than any source file or manifest. */
export function isStale(root) {
  let built;
  try { built = statSync(join(root, 'dist', STAMP)).mtimeMs; } catch { return true; }
  for (const f of sourceFiles(root)) if (statSync(f).mtimeMs > built) return true;
  return false;
}

/** Build dist/ into a fresh folder and swap it in whole. */
export async function build(root, { quiet = false } = {}) {
  const { build: esbuild } = await import('esbuild');
  const started = Date.now();
  const entries = moduleEntries(root);
  // Each module entry is a function that loads it: esbuild turns import() of a bundled file into a lazy
  // initialiser, so a command runs the top-level code of the modules its kernel loads, not of every module.
  const lines = ["export { main } from './core/cli/main.ts';"];
  lines.push(`export const compiledModules = {${entries.map((e) => `\n  ${JSON.stringify(e)}: () => import('./${e}').then((m) => m.default),`).join('')}\n};`);
  const tmp = join(root, `dist.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  await esbuild({
    stdin: { contents: lines.join('\n'), resolveDir: root, sourcefile: 'aegir-entry.ts', loader: 'ts' },
    absWorkingDir: root,
    outfile: join(tmp, BUNDLE),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    logLevel: 'error',
    plugins: [unusedDialects],
    define: { 'import.meta.url': '__aegirUrl' },
    banner: { js: "const __aegirUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  // esbuild writes strings ASCII-only but keeps comments as they are; one
  // non-ASCII character in a comment makes V8 hold the whole source as a
  // two-byte string (6.6 MB instead of 3.3), which every start pays for.
  const text = readFileSync(join(tmp, BUNDLE), 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, '?');
  if (ascii !== text) writeFileSync(join(tmp, BUNDLE), ascii);
  // The bundle runs in a vm.Script, where import() throws on Node 20: a
  // dynamic import of a package outside the bundle would only fail at run
  // time, on the one path that reaches it. Refuse to build such a bundle.
  const bad = ascii.split('\n')
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => /(^|[^\w$.])import\("/.test(line) && !line.startsWith('//') && !line.startsWith('*'));
  if (bad.length) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`The bundle would call import() at run time, which fails inside it; use a static import or createRequire instead:\n${bad.map((b) => `  ${BUNDLE}:${b.n}: ${b.line}`).join('\n')}`);
  }
  writeFileSync(join(tmp, STAMP), new Date().toISOString() + '\n');
  const dist = join(root, 'dist');
  const old = `${dist}.old-${process.pid}`;
  if (existsSync(dist)) renameSync(dist, old);
  renameSync(tmp, dist);
  rmSync(old, { recursive: true, force: true });
  if (!quiet) process.stderr.write(`Built the command line and ${entries.length} modules into dist/ in ${Date.now() - started} ms.\n`);
}

/** Build when stale, under a lock folder so that concurrent processes build once. */
export async function ensureBuilt(root) {
  if (!isStale(root)) return;
  const lock = join(root, 'dist.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 100));
      if (!isStale(root)) return;
    }
  }
  try {
    if (isStale(root)) await build(root, { quiet: true });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Load dist/aegir.cjs with its V8 code cache and return its exports. The
 * cache is written (atomically) when the process exits if it was missing or
 * rejected (V8 rejects it after a rebuild or a Node upgrade); a read-only
 * dist/ just goes without.
 */
export function loadBundle(root) {
  const file = join(root, 'dist', BUNDLE);
  const cacheFile = `${file}.cache`;
  // The build writes the bundle ASCII-only, so latin1 reads it as it is, without UTF-8 decoding (a third of the read's cost).
  const source = readFileSync(file, 'latin1');
  let cachedData;
  try { cachedData = readFileSync(cacheFile); } catch { /* first run */ }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch { /* not writable: run without a cache */ }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  await build(dirname(dirname(fileURLToPath(import.meta.url))));
}
