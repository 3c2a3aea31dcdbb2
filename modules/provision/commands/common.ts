import { join } from 'node:path';
import type { CommandContext } from '../../../core/cli/command.js';
import { aegirHome } from '../../../core/cli/aliases.js';
import { AegirError } from '../../../core/errors/aegir-error.js';

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
