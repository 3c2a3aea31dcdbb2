import type { RequestContext, RouteAccess } from './types.js';

/** Whether the request's account passes a route's access rule. */
export async function checkAccess(rule: RouteAccess, ctx: RequestContext): Promise<boolean> {
  if ('public' in rule) return true;
  if ('permission' in rule) return ctx.account.hasPermission(rule.permission);
  if ('authenticated' in rule) return !ctx.account.anonymous;
  if ('anonymousOnly' in rule) return ctx.account.anonymous;
  return (await rule.check(ctx)) === true;
}
