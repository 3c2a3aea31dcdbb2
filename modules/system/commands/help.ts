import { defineCommand } from '../../../core/cli/command.js';
import { commandHelp, commandList } from '../../../core/cli/help.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { closest } from '../../../core/util/suggest.js';

/** `aegir help [command]`: the command list, or one command's help. */
export const help = defineCommand({
  name: 'help',
  description: 'List the commands, or show the help of one command.',
  arguments: [{ name: 'command', description: 'Command to explain' }],
  bootstrap: 'root',
  examples: ['aegir help', 'aegir help site-install'],
  async run(ctx) {
    const name = ctx.args.command as string | undefined;
    if (!name) return { text: commandList(ctx.commands), data: [...new Set([...ctx.commands.values()].map((c) => c.definition.name))].sort() };
    const c = ctx.commands.get(name);
    if (!c) throw new AegirError('ERR_COMMAND_UNKNOWN', { command: name, suggestion: closest(name, ctx.commands.keys()) });
    return { text: commandHelp(c.definition), data: { name: c.definition.name, module: c.module, description: c.definition.description } };
  },
});
