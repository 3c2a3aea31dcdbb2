import type { PageEvent } from '../../../core/hooks/core-hooks.js';
import { moduleAssetPath } from '../../../core/http/module-assets.js';
import { template } from '../../../core/theme/renderable.js';
import { ACCESS_HOSTING, ADMINISTER_HOSTING } from '../access/scope.js';
import { queueCounts } from './dashboard.js';

/**
 * http.page: for users of the hosting pages, the queue summary above every
 * page's title (running, queued, failed in the last day, each a link to
 * the tasks list), kept up to date by live.js through the queue's event
 * stream; live.js itself, which also follows a task page's log; and the
 * hosting pages' stylesheet.
 */
export async function queueSummary(e: PageEvent): Promise<void> {
  const { ctx } = e;
  if (!ctx.account.hasPermission(ACCESS_HOSTING) && !ctx.account.hasPermission(ADMINISTER_HOSTING)) return;
  const counts = await queueCounts(ctx);
  e.attachments.header.push(ctx.render(template('hosting/queue-summary', { ...counts, events: ctx.url('hosting.queue_events') })));
  e.attachments.scripts.push(moduleAssetPath('hosting', 'live.js'));
  e.attachments.stylesheets.push(moduleAssetPath('hosting', 'hosting.css'));
}
