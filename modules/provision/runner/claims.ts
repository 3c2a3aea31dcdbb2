/**
 * What a task holds while it runs: its own context, always exclusively,
 * and the names it lists in its claims: names it creates (a clone's new
 * domain: exclusive) and contexts it depends on (its platform: shared, so
 * that tasks of many sites of one platform run together while a platform
 * delete waits for all of them). Claims live in the task's journal, so an
 * interrupted task keeps holding them until its recovery: nothing can take
 * a name whose leftovers only that recovery removes.
 */

/** How a name is held: by one task alone, or together with other shared holders. */
export type ClaimMode = 'exclusive' | 'shared';

/** A name a task holds. */
export interface Claim {
  /** A context name (`platform_x`, `example.com`), existing or to be made. */
  readonly name: string;
  readonly mode: ClaimMode;
}

/** Every claim of a task on `context`: its own context exclusively first, then `claims` (each name once, exclusive winning). */
export function claimsOf(context: string, claims: readonly Claim[]): Claim[] {
  const out = new Map<string, Claim>([[context, { name: context, mode: 'exclusive' }]]);
  for (const c of claims) {
    const prev = out.get(c.name);
    if (!prev || (prev.mode === 'shared' && c.mode === 'exclusive')) out.set(c.name, c);
  }
  return [...out.values()];
}

/** The first of `wanted` that `held` forbids (two claims on a name conflict unless both are shared). */
export function firstConflict(wanted: readonly Claim[], held: readonly Claim[]): Claim | undefined {
  return wanted.find((w) => held.some((h) => h.name === w.name && (h.mode === 'exclusive' || w.mode === 'exclusive')));
}
