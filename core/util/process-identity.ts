import { readFileSync } from 'node:fs';

/**
 * A process as a file records it: its pid and, where the system tells, its
 * start time (clock ticks since boot, from /proc/<pid>/stat), so that a pid
 * the kernel has since given to another process is never taken for it.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start?: number | undefined;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of a process (field 22 of /proc/<pid>/stat), or undefined where there is no /proc or no such process. */
export function processStart(pid: number): number | undefined {
  const f = statFields(pid);
  // After the name: state is field 3, so field 22 is index 19.
  const v = f ? Number(f[19]) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** This process. */
export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) };
}

/**
 * Whether the recorded process still runs: the pid exists, is no zombie,
 * and (when both are known) started when the record says.
 */
export function isRunning(id: ProcessIdentity): boolean {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  try {
    process.kill(id.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const f = statFields(id.pid);
  if (!f) return true;
  if (f[0] === 'Z' || f[0] === 'X') return false;
  return id.start === undefined || Number(f[19]) === id.start;
}

/** The process group of a process (field 5 of /proc/<pid>/stat), if known. */
export function processGroup(pid: number): number | undefined {
  const f = statFields(pid);
  const v = f ? Number(f[2]) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** Whether any process is in the group `pgid`. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * End the process group a recorded process led (it was started in a group
 * of its own, and its children run in it): SIGTERM, then SIGKILL after
 * `graceMs`. The group is signalled when its leader is still the recorded
 * process, or when the leader is gone but members of its group remain (the
 * kernel does not give a group's id to a new process while the group has
 * members). A pid now held by another process is left alone. Returns
 * whether there was anything to end.
 */
export async function endProcessGroup(id: ProcessIdentity, graceMs = 3000): Promise<boolean> {
  const f = statFields(id.pid);
  if (f && id.start !== undefined && Number(f[19]) !== id.start) return false;
  if (f && processGroup(id.pid) !== id.pid) return false;
  if (!groupExists(id.pid)) return false;
  const signal = (s: NodeJS.Signals): void => {
    try { process.kill(-id.pid, s); } catch { /* already gone */ }
  };
  signal('SIGTERM');
  const until = Date.now() + graceMs;
  while (groupExists(id.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  if (groupExists(id.pid)) signal('SIGKILL');
  while (groupExists(id.pid) && Date.now() < until + graceMs) await new Promise((r) => setTimeout(r, 25));
  return true;
}
