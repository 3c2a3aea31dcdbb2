import type { CommandDefinition, OptionSpecs } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { AnyTaskDefinition } from '../runner/definition.js';
import { invokeTask } from '../runner/invoke.js';
import type { TaskRegistry } from '../runner/registry.js';
import { aegirBinOf, contextName, homeOf } from './common.js';
import { SAVE_CONTEXTS_OPTION, saveContextsFirst } from './save-contexts.js';

/** The options of the tasks sharing a command; an option two of them declare differently is an error naming the command. */
function mergedOptions(command: string, defs: readonly AnyTaskDefinition[]): OptionSpecs {
  const out: Record<string, OptionSpecs[string]> = {};
  for (const d of defs) {
    for (const [k, spec] of Object.entries(d.options ?? {})) {
      const prev = out[k];
      if (prev && JSON.stringify(prev) !== JSON.stringify(spec)) {
        throw new AegirError('ERR_HOOK_FAILED', { module: 'provision', hook: 'provision.tasks', problem: `tasks of ${command} declare option --${k} differently` });
      }
      out[k] = spec;
    }
  }
  return out;
}

/**
 * One command per task command name (`provision-install`,
 * `provision-verify` for servers, platforms and sites alike), made from the
 * task definitions: it takes the @context, picks the task by the context's
 * type, and runs it through invokeTask. `--save-contexts` writes contexts
 * first in the same process (one start of the back end instead of one per
 * context: the front end's bridge sends its objects this way).
 */
export function taskCommands(registry: TaskRegistry): CommandDefinition[] {
  const byCommand = new Map<string, AnyTaskDefinition[]>();
  for (const { definition } of registry.tasks.values()) byCommand.set(definition.command, [...(byCommand.get(definition.command) ?? []), definition]);
  return [...byCommand].map(([command, defs]): CommandDefinition => {
    const options = mergedOptions(command, defs);
    return {
      name: command,
      description: defs.map((d) => d.description).join(' '),
      bootstrap: 'backend',
      options: { ...options, ...SAVE_CONTEXTS_OPTION },
      examples: defs.flatMap((d) => d.examples ?? []),
      async run(cli) {
        const saves = (cli.options as { 'save-contexts'?: string })['save-contexts'];
        if (saves !== undefined) await saveContextsFirst(cli, command, saves);
        const given: Record<string, string | number | boolean | undefined> = {};
        for (const k of Object.keys(options)) given[k] = (cli.options as Record<string, string | number | boolean | undefined>)[k];
        const outcome = await invokeTask({
          kernel: cli.kernel, home: homeOf(cli), logger: cli.logger, aegirBin: aegirBinOf(cli), context: contextName(cli, command), command,
          options: given, fault: cli.env.AEGIR_FAULT, call: { cwd: cli.cwd, env: cli.env },
        });
        return outcome.result;
      },
    };
  });
}
