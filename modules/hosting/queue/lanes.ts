/**
 * Which tasks may run together. A task's lanes are the objects it works
 * on: its site (site tasks), its platform (platform tasks, and site tasks:
 * their site's platform) and its server (the limit it counts against;
 * server tasks are that server's exclusive work). The rules:
 * - never two tasks on one site;
 * - never a platform task beside any task of that platform or its sites;
 * - never two server tasks on one server;
 * - at most `perServer` running tasks per server and `global` in all.
 */

/** What the dispatcher knows of a task to place it. */
export interface Lanes {
  readonly nid: number;
  readonly objectKind: 'server' | 'platform' | 'site';
  readonly siteNid: number | null;
  readonly platformNid: number | null;
  readonly serverNid: number | null;
}

/** How many tasks may run at once. */
export interface Limits {
  /** In all, across every server. */
  readonly global: number;
  /** On any one server. */
  readonly perServer: number;
}

/** Why `candidate` cannot start beside `running`, if it cannot. */
export function clash(candidate: Lanes, running: Lanes): string | undefined {
  if (candidate.siteNid !== null && candidate.siteNid === running.siteNid) return `site ${candidate.siteNid} has a running task`;
  if (candidate.platformNid !== null && candidate.platformNid === running.platformNid
    && (candidate.objectKind === 'platform' || running.objectKind === 'platform')) return `platform ${candidate.platformNid} has a running ${running.objectKind === 'platform' ? 'platform ' : ''}task`;
  if (candidate.objectKind === 'server' && running.objectKind === 'server' && candidate.serverNid === running.serverNid) return `server ${candidate.serverNid} runs a server task`;
  return undefined;
}

/**
 * Pick, in queue order, the candidates that may start now beside the
 * running tasks and each other, within the limits. A candidate that
 * cannot start keeps its place: one that clashes never lets a later task
 * on the same lanes overtake it (queue order per object is kept).
 */
export function pick(candidates: readonly Lanes[], running: readonly Lanes[], limits: Limits): Lanes[] {
  const busy: Lanes[] = [...running];
  const perServer = new Map<number, number>();
  for (const r of running) if (r.serverNid !== null) perServer.set(r.serverNid, (perServer.get(r.serverNid) ?? 0) + 1);
  const out: Lanes[] = [];
  const waiting: Lanes[] = [];
  for (const c of candidates) {
    if (busy.length >= limits.global) break;
    const blocked = busy.some((r) => clash(c, r)) || waiting.some((w) => clash(c, w));
    const full = c.serverNid !== null && (perServer.get(c.serverNid) ?? 0) >= limits.perServer;
    if (blocked || full) {
      waiting.push(c);
      continue;
    }
    out.push(c);
    busy.push(c);
    if (c.serverNid !== null) perServer.set(c.serverNid, (perServer.get(c.serverNid) ?? 0) + 1);
  }
  return out;
}
