import { isAegirError } from '../../../core/errors/aegir-error.js';
import type { SiteContext } from '../../../core/site/context.js';
import { CONSOLE_ACCOUNT } from '../commands/common.js';
import { checkRequest, queueTask } from '../tasks/queue-task.js';

/** An hour and a day, in ms. */
export const HOUR = 60 * 60_000;
export const DAY = 24 * HOUR;
/** At most this many tasks per round of a periodic queue, so one round never floods the dispatcher. */
export const BATCH = 50;

/**
 * Queue a task for a periodic queue if it may be: its object's state
 * offers it and no task of its kind is queued or running on the object.
 * True when it was queued. A refusal (a coded error: the state changed, the
 * type's module was disabled) is no failure of the round; anything else
 * (the database gone) is thrown.
 */
export async function tryQueue(site: SiteContext, type: string, object: number, args: Record<string, unknown> = {}): Promise<boolean> {
  try {
    await checkRequest(site, { type, object, args, account: CONSOLE_ACCOUNT });
    if (await site.db('hosting_task').where({ object_nid: object, task_type: type }).whereIn('status', ['queued', 'processing']).first('nid')) return false;
    await queueTask(site, { type, object, args, account: CONSOLE_ACCOUNT });
    return true;
  } catch (e) {
    if (isAegirError(e)) return false;
    throw e;
  }
}

/** A numeric setting of the hostmaster site, or its default. */
export const setting = async (site: SiteContext, key: string, fallback: number): Promise<number> => (await site.config.get<number>(key, fallback)) ?? fallback;
