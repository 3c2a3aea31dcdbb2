import { AegirError } from '../errors/aegir-error.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RegisteredCommand } from './command.js';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Every command of a kernel by name and alias, collected once per kernel from
 * `cli.commands`. Two modules declaring one name is an error naming both.
 */
export function commandRegistry(kernel: Kernel): ReadonlyMap<string, RegisteredCommand> {
  return kernel.registry('core.commands', () => {
    const map = new Map<string, RegisteredCommand>();
    for (const { module, value } of kernel.hooks.collect('cli.commands', { kernel })) {
      for (const name of [value.name, ...(value.aliases ?? [])]) {
        if (!NAME.test(name)) throw new AegirError('ERR_HOOK_FAILED', { module, hook: 'cli.commands', problem: `command name "${name}" must be lower-case words joined by "-"` });
        const prev = map.get(name);
        if (prev) throw new AegirError('ERR_COMMAND_DUPLICATE', { command: name, first: prev.module, second: module });
        map.set(name, { module, definition: value });
      }
    }
    return map;
  });
}
