import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The folders of an Aegir home the back end writes while a hostmaster is installed. */
const WATCHED = ['contexts', 'aliases', 'run', 'secrets', 'keys', 'fetched', 'tasks'];

function listAll(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(p);
    try { if (statSync(p).isDirectory()) out.push(...listAll(p)); } catch { /* gone meanwhile */ }
  }
  return out;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * What an install adds to the back end's home, taken back when it fails:
 * a snapshot of the files there now (and of extra folders, such as a web
 * server's config folder); `takeBack` ends the processes whose pid files
 * are new (the proxy, the app process), then removes every new file and
 * folder, newest first. Files that were there before are never touched.
 */
export function backendLeftovers(home: string, extra: readonly string[] = []): { takeBack(): Promise<void> } {
  const roots = [...WATCHED.map((d) => join(home, d)), ...extra];
  const before = new Set(roots.flatMap((r) => (existsSync(r) ? [r, ...listAll(r)] : [])));
  return {
    async takeBack() {
      const added = roots.flatMap((r) => [r, ...listAll(r)]).filter((p) => !before.has(p) && existsSync(p));
      const pids: number[] = [];
      for (const p of added.filter((f) => f.endsWith('.pid'))) {
        const pid = Number(readFileSync(p, 'utf8').trim());
        if (Number.isInteger(pid) && pid > 1 && alive(pid)) { process.kill(pid, 'SIGTERM'); pids.push(pid); }
      }
      const until = Date.now() + 10_000;
      while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
      for (const p of added.sort((a, b) => b.length - a.length)) rmSync(p, { recursive: true, force: true });
    },
  };
}
