import type { SiteContext } from '../../../core/site/context.js';
import { ANONYMOUS_ROLE, AUTHENTICATED_ROLE, listRoles } from '../roles.js';

/** A time in ms as `YYYY-MM-DD HH:MM UTC`, or "never" for 0. */
export function formatTime(ms: number): string {
  return ms > 0 ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never';
}

/** Roles a user can be given (all but the implied anonymous and authenticated), machine name to label. */
export async function roleOptions(site: SiteContext): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await listRoles(site)) if (r.rid !== ANONYMOUS_ROLE && r.rid !== AUTHENTICATED_ROLE) out[r.rid] = r.label;
  return out;
}
