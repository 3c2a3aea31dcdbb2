/**
 * A clean codebase and Aegir home for hostmaster installs: the repository's
 * code (symlinked, with bin/), an empty sites/, an empty home; `aegir` runs
 * its command line in process, `spawn` in a process of its own; `stop`
 * ends every process the back end started from the home and removes both.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, type CliRun } from '../../cli/run-helper.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { freePort } from '../../harness/ports.js';
import { spawnIn, type Spawned } from '../provision/env.js';

/** A codebase to install a hostmaster on. */
export interface HostmasterBox {
  readonly tc: TestCodebase;
  readonly home: string;
  /** A free port for its web server. */
  readonly port: number;
  aegir(argv: readonly string[], opts?: { stdin?: string; env?: Record<string, string> }): Promise<CliRun>;
  spawn(argv: readonly string[]): Spawned;
  /** Pids of the processes the back end runs from the home now. */
  pids(): number[];
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** A fresh box: codebase, home and port. */
export async function hostmasterBox(): Promise<HostmasterBox> {
  const tc = makeCodebase({ fixtures: false });
  symlinkSync(join(REPO, 'bin'), join(tc.root, 'bin'));
  const home = mkdtempSync(join(tmpdir(), 'aegir-home-'));
  const port = await freePort();
  const pids = (): number[] => {
    const run = join(home, 'run');
    return (existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.pid')) : [])
      .map((f) => Number(readFileSync(join(run, f), 'utf8').trim())).filter((p) => Number.isInteger(p) && p > 1 && alive(p));
  };
  return {
    tc, home, port, pids,
    aegir: (argv, opts = {}) => cli(tc.root, argv, { env: { ...process.env, AEGIR_HOME: home, ...opts.env }, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) }),
    spawn: (argv) => spawnIn(tc.root, home, argv, { NO_COLOR: '1' }),
    async stop() {
      const running = pids();
      for (const p of running) { try { process.kill(p, 'SIGTERM'); } catch { /* gone */ } }
      const until = Date.now() + 10_000;
      while (running.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      for (const p of running.filter(alive)) process.kill(p, 'SIGKILL');
      tc.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
