import { AegirError, describe } from '../errors/aegir-error.js';
import type { Site } from '../site/site.js';

/** An update that has not run yet on a site. */
export interface PendingUpdate {
  readonly module: string;
  readonly number: number;
  readonly description: string;
}

/** Pending updates of every enabled module, in module order, then by number. */
export async function pendingUpdates(site: Site): Promise<PendingUpdate[]> {
  const states = await site.modulesState.all();
  const out: PendingUpdate[] = [];
  for (const m of site.kernel.modules) {
    const applied = states.get(m.name)?.schemaVersion ?? 0;
    for (const [n, u] of Object.entries(m.definition.updates ?? {}).map(([k, v]) => [Number(k), v] as const).sort((a, b) => a[0] - b[0])) {
      if (n > applied) out.push({ module: m.name, number: n, description: u.description });
    }
  }
  return out;
}

/**
 * Run pending updates one by one under the site's `core.updatedb` lock,
 * recording each as applied as soon as it succeeds. The first failure stops
 * the run (ERR_UPDATE_FAILED); updates before it stay recorded, so the next
 * run resumes at the failed one.
 */
export async function runUpdates(site: Site, onProgress?: (u: PendingUpdate, index: number, total: number) => void): Promise<PendingUpdate[]> {
  const pending = await pendingUpdates(site);
  if (!pending.length) return [];
  const lock = await site.locks.acquire('core.updatedb', 60 * 60 * 1000);
  const done: PendingUpdate[] = [];
  try {
    for (const [i, u] of pending.entries()) {
      onProgress?.(u, i, pending.length);
      const mod = site.kernel.module(u.module)!;
      try {
        await mod.definition.updates![u.number]!.run(site);
      } catch (e) {
        throw new AegirError('ERR_UPDATE_FAILED', { module: u.module, number: u.number, problem: describe(e) }, { cause: e });
      }
      await site.modulesState.setSchemaVersion(u.module, u.number, mod.manifest.version);
      done.push(u);
    }
  } finally {
    await lock.release();
    if (done.length) await site.cache.clear();
  }
  return done;
}
