import type { SiteProvisionContext } from '../context/types.js';
import type { Claim } from '../runner/claims.js';
import { siteClaims, siteDirOf, type SiteTaskContext } from './site-context.js';

/**
 * Where a migrate or clone takes a site, as noted in the task's journal:
 * names only, so that the undo of an interrupted move finds the same target.
 */
export interface MoveNote {
  readonly platform: string;
  readonly dbServer: string;
  readonly name: string;
  /** Working folder on the source's app server (the dump; the settings of a database-only move). */
  readonly workDir?: string;
  /** Working folder on the target's app server, when the site changes servers. */
  readonly targetWork?: string;
  /** The purge dropped the old database (under the same name its secret is then the new one's). */
  readonly oldDbDropped?: boolean;
}

const NOTE = 'move';
const TARGET = 'move.target';

/** The move's note; undefined until the check step has run. */
export function moveNote(ctx: SiteTaskContext): MoveNote | undefined {
  return ctx.notes.get<MoveNote & Record<string, string | boolean>>(NOTE);
}

/** Add facts to the move's note. */
export function noteMove(ctx: SiteTaskContext, facts: Partial<MoveNote>): void {
  ctx.notes.set(NOTE, { ...(moveNote(ctx) ?? {}), ...facts } as Record<string, string | boolean>);
}

/** The target named by the task's options (`--platform`, `--db-server`, `--new-name`; the check step notes it). */
export function chooseTarget(ctx: SiteTaskContext): MoveNote {
  const o = ctx.options;
  const strip = (v: unknown, fallback: string): string => (v === undefined ? fallback : String(v).replace(/^@/, ''));
  return { platform: strip(o.platform, ctx.platform.name), dbServer: strip(o['db-server'], ctx.dbServer.name), name: strip(o['new-name'], ctx.site.name) };
}

/**
 * What a move holds besides the site: its platform and the target
 * platform (shared: neither can be deleted meanwhile), and a new name
 * (exclusive: no other clone, migrate or install can make it too).
 */
export function moveClaims(ctx: SiteTaskContext): Claim[] {
  const t = chooseTarget(ctx);
  return [...siteClaims(ctx), { name: t.platform, mode: 'shared' }, ...(t.name !== ctx.site.name ? [{ name: t.name, mode: 'exclusive' } as const] : [])];
}

/**
 * The site as it will be, as a task context of its own: its name, platform,
 * servers and their executors. Steps run target work through it exactly as
 * an install would (its services, its platform's command line, its served
 * check); the source stays `ctx`.
 */
export async function targetOf(ctx: SiteTaskContext): Promise<SiteTaskContext> {
  const cached = ctx.state.get(TARGET) as SiteTaskContext | undefined;
  if (cached) return cached;
  const note = moveNote(ctx) ?? chooseTarget(ctx);
  const platform = ctx.contexts.get(note.platform, 'platform');
  const dbServer = ctx.contexts.get(note.dbServer, 'server');
  const appServer = ctx.contexts.get(platform.server, 'server');
  const site: SiteProvisionContext = { ...ctx.site, name: note.name, platform: platform.name, dbServer: dbServer.name };
  const target: SiteTaskContext = { ...ctx, site, platform, appServer, dbServer, appExec: await ctx.executorFor(appServer), dbExec: await ctx.executorFor(dbServer) };
  ctx.state.set(TARGET, target);
  return target;
}

/** Whether the site changes servers (its folder is streamed from one to the other). */
export const changesServer = (ctx: SiteTaskContext, t: SiteTaskContext): boolean => t.appServer.name !== ctx.appServer.name;

/** Whether only the database moves: the site keeps its folder on its platform. */
export const inPlace = (ctx: SiteTaskContext, t: SiteTaskContext): boolean => !changesServer(ctx, t) && siteDirOf(t) === siteDirOf(ctx);

/** The dump of the move, where the target's command line reads it. */
export function dumpFor(ctx: SiteTaskContext, t: SiteTaskContext): string {
  const note = moveNote(ctx)!;
  return `${changesServer(ctx, t) ? note.targetWork : note.workDir}/database.sql`;
}
