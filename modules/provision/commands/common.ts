import { join } from 'node:path';
import type { CommandContext } from '../../../core/cli/command.js';
import { aegirHome } from '../../../core/cli/aliases.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { Journal } from '../runner/journal.js';
import { openSiteTask } from '../runner/open.js';
import { recoverTask } from '../runner/runner.js';
import { stepsForTask } from './tasks.js';
import type { SiteTaskContext } from '../tasks/site-context.js';

/** The context name a backend command was given as @alias. */
export function contextName(ctx: CommandContext, command: string): string {
  if (!ctx.alias) throw new AegirError('ERR_CLI_ARGUMENT_MISSING', { command, argument: '@context' });
  return ctx.alias;
}

/** The Aegir home of a command line. */
export function homeOf(ctx: CommandContext): string {
  return aegirHome(ctx.env);
}

/** The back end's own bin/aegir. */
export function aegirBinOf(ctx: CommandContext): string {
  return join(ctx.codebase.root, 'bin', 'aegir');
}

/** Open the task context of the site named by the command's @alias. */
export async function siteTask(ctx: CommandContext, command: string, options: Record<string, string | number | boolean | undefined> = {}): Promise<SiteTaskContext> {
  return openSiteTask({
    kernel: ctx.kernel, home: homeOf(ctx), site: contextName(ctx, command), logger: ctx.logger,
    aegirBin: aegirBinOf(ctx), options,
  });
}

/**
 * Open the site's task context, dealing first with a task on it whose
 * process died: undone, or finished when it had passed its point of no
 * return (then the context is read again: a finished migrate moved the
 * site, a finished delete removed it).
 */
export async function openAndRecover(ctx: CommandContext, command: string, options: Record<string, string | number | boolean | undefined> = {}): Promise<SiteTaskContext> {
  let t = await siteTask(ctx, command, options);
  const home = homeOf(ctx);
  const interrupted = Journal.interrupted(home, t.site.name);
  if (interrupted) {
    const r = await recoverTask(home, interrupted, stepsForTask(t.kernel, interrupted.task), t, ctx.logger, t.notes);
    if (r.finished) t = await siteTask(ctx, command, options);
  }
  t.notes.load({});
  return t;
}
