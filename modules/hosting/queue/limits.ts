import { availableParallelism } from 'node:os';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { Site } from '../../../core/site/site.js';
import type { Limits } from './lanes.js';

/**
 * The dispatcher's limits when the hostmaster's configuration says
 * nothing: as many tasks in all as this machine has cores (at least 2),
 * and 2 per server. A task's back end is a process on this machine that
 * keeps a core busy for most of its run; more tasks than cores make each
 * slower without ending them sooner (measured: 40 installs over two local
 * servers with 4 at once on 2 cores took 8% more CPU and 5% longer than
 * with 2, bench/hosting.ts). Where tasks mostly wait on remote servers,
 * raise `hosting.queue_limit`.
 */
export function defaultLimits(): Limits {
  return { global: Math.max(2, availableParallelism()), perServer: 2 };
}

/** Keys of the hostmaster's configuration that set the limits. */
export const LIMIT_KEYS = { global: 'hosting.queue_limit', perServer: 'hosting.queue_per_server' } as const;

/**
 * The limits of the hostmaster's queue: `hosting.queue_limit` and
 * `hosting.queue_per_server` where set, the defaults otherwise. A value
 * that is no whole number from 1 to 256 is ERR_QUEUE_LIMIT_INVALID naming
 * the key, rather than a dispatcher that runs nothing or everything.
 */
export async function queueLimits(site: Pick<Site, 'config'>): Promise<Limits> {
  const defaults = defaultLimits();
  const read = async (which: keyof Limits): Promise<number> => {
    const key = LIMIT_KEYS[which];
    const v: unknown = await site.config.get(key, defaults[which]);
    if (v === undefined || v === null) return defaults[which];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 256) throw new AegirError('ERR_QUEUE_LIMIT_INVALID', { key, value: JSON.stringify(v).slice(0, 40) });
    return v;
  };
  return { global: await read('global'), perServer: await read('perServer') };
}
