// Shared pieces of the benchmarks: statistics, timed child processes, a
// throw-away copy of the codebase with its own dist/ bundle, and the figure
// type that bench/run.ts gathers into its summary table.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One reported figure. `target` and `baseline` are in the figure's unit; lower is better. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: 'ms' | 'ns' | 'MB' | 'req/s' | 'lines';
  /** Upper bound from the issue, if the figure has one. */
  readonly target?: number;
  /** The same work done the plainest way, measured in the same run. */
  readonly baseline?: { readonly name: string; readonly value: number };
}

/** Whether the file with this import.meta.url is the program node was started with. */
export function isMain(url: string): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try { return url === pathToFileURL(realpathSync(arg)).href; } catch { return false; }
}

/** The machine and its load, to read the figures by: they are wall times on a possibly shared machine. */
export function machine(): string {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `node ${process.version}, ${availableParallelism()} cpu (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${load}`;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** min / median / p90 of wall times in ms, as one line. */
export function spread(xs: readonly number[]): string {
  return `min ${fmt(Math.min(...xs))} / median ${fmt(median(xs))} / p90 ${fmt(percentile(xs, 90))} ms (n=${xs.length})`;
}

/** A number with a sensible number of decimals. */
export function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Nanoseconds since an arbitrary point, as a number. */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * The environment of timed children: ours without NODE_OPTIONS (a loader
 * there would be timed too) and without AEGIR_NO_BUILD (the launcher's
 * staleness check is part of a real cold start).
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.AEGIR_NO_BUILD;
  return env;
}

/** Run a program (argument array, no shell) and return its stdout; a non-zero exit throws with its stderr. */
export async function run(file: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    return (await execFileP(file, [...args], { cwd, env: childEnv(), maxBuffer: 16 << 20 })).stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}${err.stdout ?? ''}`);
  }
}

/** Wall time in ms of one run of a program, from spawn to exit. */
export async function wall(file: string, args: readonly string[], cwd: string): Promise<number> {
  const t0 = nowNs();
  await run(file, args, cwd);
  return (nowNs() - t0) / 1e6;
}

/** A throw-away codebase: real copies of the sources, its own bundle, an empty sites/. */
export interface CodebaseCopy {
  readonly root: string;
  /** Run `node <copy>/bin/aegir ...args` in the copy and return stdout. */
  aegir(args: readonly string[]): Promise<string>;
  /** Wall time in ms of one `node <copy>/bin/aegir ...args`. */
  time(args: readonly string[]): Promise<number>;
  /** `aegir --uri=<uri> status --format=json`, parsed. */
  status(uri: string): Promise<StatusData>;
  /** Remove the copy. */
  cleanup(): void;
}

/** The fields of `aegir status --format=json` the benchmarks check. */
export interface StatusData {
  readonly installed: boolean;
  readonly modulesEnabled?: number;
}

/**
 * Copy core/, modules/, profiles/, themes/, bin/ and package.json into a temporary
 * folder (files, not symlinks, so the copy's bundle and code cache are its
 * own), link node_modules, create an empty sites/, let `prepare` add files
 * (generated modules) and build the copy's dist/ bundle once.
 */
export async function copyCodebase(prepare?: (root: string) => void): Promise<CodebaseCopy> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'aegir-bench-')));
  const cleanup = (): void => rmSync(root, { recursive: true, force: true });
  try {
    for (const d of ['core', 'modules', 'profiles', 'themes', 'bin']) cpSync(join(REPO, d), join(root, d), { recursive: true, dereference: true });
    copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    mkdirSync(join(root, 'sites'));
    prepare?.(root);
    await run(process.execPath, [join(root, 'bin', 'build.mjs')], root);
  } catch (e) {
    cleanup();
    throw e;
  }
  const bin = join(root, 'bin', 'aegir');
  return {
    root,
    aegir: (args) => run(process.execPath, [bin, ...args], root),
    time: (args) => wall(process.execPath, [bin, ...args], root),
    status: async (uri) => JSON.parse(await run(process.execPath, [bin, `--uri=${uri}`, 'status', '--format=json'], root)) as StatusData,
    cleanup,
  };
}

/** Print a benchmark's figures, one line each, with target and baseline ratio. */
export function printFigures(figures: readonly Figure[]): void {
  for (const f of figures) {
    const parts = [`${f.name}: ${fmt(f.value)} ${f.unit}`];
    if (f.target !== undefined) parts.push(`target < ${f.target} ${f.unit}: ${verdict(f)}`);
    if (f.baseline) parts.push(`${fmt(f.value / f.baseline.value)}x ${f.baseline.name} (${fmt(f.baseline.value)} ${f.unit})`);
    console.log(`  => ${parts.join('; ')}`);
  }
}

/** "ok" when under the target, else "over"; "-" without a target. */
export function verdict(f: Figure): string {
  if (f.target === undefined) return '-';
  return f.value < f.target ? 'ok' : 'over';
}

/**
 * End what a benchmark's provision tasks started (the proxy, one app per
 * platform): each left its pid in `<home>/run`. Then remove the home and
 * put AEGIR_HOME back as it was.
 */
export function endBackend(home: string, savedHome: string | undefined): void {
  const run = join(home, 'run');
  for (const f of existsSync(run) ? readdirSync(run).filter((n) => n.endsWith('.pid')) : []) {
    try { process.kill(Number(readFileSync(join(run, f), 'utf8').trim()), 'SIGTERM'); } catch { /* not running */ }
  }
  rmSync(home, { recursive: true, force: true });
  if (savedHome === undefined) delete process.env.AEGIR_HOME;
  else process.env.AEGIR_HOME = savedHome;
}
