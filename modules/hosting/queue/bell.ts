import type { Knex } from 'knex';

/**
 * The bell of a database connection: a dispatcher in this process listens
 * on the connection it claims through, and queueing a task through the same
 * connection rings it, so the task is claimed at once instead of at the
 * next poll. Keyed by the connection object (a WeakMap), so nothing outlives
 * the connection and two sites never hear each other.
 */
const listeners = new WeakMap<Knex, Set<() => void>>();

/** Listen for tasks queued through `db` in this process; returns how to stop. */
export function listen(db: Knex, wake: () => void): () => void {
  let set = listeners.get(db);
  if (!set) { set = new Set(); listeners.set(db, set); }
  set.add(wake);
  return () => { set.delete(wake); };
}

/** A task was queued through `db` (after its transaction committed). */
export function ring(db: Knex): void {
  for (const wake of listeners.get(db) ?? []) wake();
}
