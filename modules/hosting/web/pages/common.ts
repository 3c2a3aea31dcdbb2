import type { RequestContext } from '../../../../core/http/types.js';
import { scopeOf } from '../../access/scope.js';
import { tasksList } from '../lists/tasks.js';

/** Tasks shown on an object's page. */
export const OBJECT_TASKS = 20;

/** The newest tasks on an object (those the account sees), as a table (headers and rows of table.njk). */
export async function objectTasks(ctx: RequestContext, objectNid: number): Promise<{ headers: { label: string }[]; rows: unknown[][] }> {
  const scope = await scopeOf(ctx.site, ctx.account);
  const rows = (await tasksList.query(ctx, scope).where('t.object_nid', objectNid).orderBy('t.nid', 'desc').limit(OBJECT_TASKS)) as Parameters<typeof tasksList.row>[0][];
  const columns = Object.entries(tasksList.columns).filter(([k]) => k !== 'object');
  const cells = await Promise.all(rows.map(async (r) => {
    const all = await tasksList.row(r, ctx);
    return all.filter((_, i) => Object.keys(tasksList.columns)[i] !== 'object');
  }));
  return { headers: columns.map(([, c]) => ({ label: c.label, ...(c.class ? { class: c.class } : {}) })), rows: cells };
}

/** A link to a node for templates. */
export function nodeLink(ctx: RequestContext, nid: number | null | undefined, title: string | null | undefined): { text: string; href: string } | undefined {
  return nid ? { text: title ?? String(nid), href: ctx.url('node.view', { nid }) } : undefined;
}

/** "12.3 MB". */
export function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}
