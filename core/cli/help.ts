import { GLOBAL_HELP } from './argv.js';
import type { CommandDefinition, OptionSpecs, RegisteredCommand } from './command.js';
import { table } from './output.js';

/** Help for one command: usage, arguments, options and examples. */
export function commandHelp(def: CommandDefinition<OptionSpecs>): string {
  const args = (def.arguments ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`) + (a.variadic ? '...' : '')).join(' ');
  const out = [`Usage: aegir [@alias] ${def.name}${args ? ` ${args}` : ''}${def.options && Object.keys(def.options).length ? ' [options]' : ''}`, '', def.description, ''];
  if (def.aliases?.length) out.push(`Aliases: ${def.aliases.join(', ')}`, '');
  if (def.arguments?.length) {
    out.push('Arguments:');
    for (const a of def.arguments) out.push(`  ${a.name.padEnd(24)} ${a.description}${a.required ? ' (required)' : ''}`);
    out.push('');
  }
  const opts = Object.entries(def.options ?? {});
  if (opts.length) {
    out.push('Options:');
    for (const [name, s] of opts) {
      const value = s.type === 'boolean' ? '' : `=${s.type === 'string' && s.valueName ? s.valueName : s.type === 'integer' ? 'N' : 'VALUE'}`;
      const notes: string[] = [];
      if ('required' in s && s.required) notes.push('required');
      if ('default' in s && s.default !== undefined) notes.push(`default: ${s.default}`);
      if (s.type === 'string' && s.choices) notes.push(`one of: ${s.choices.join(', ')}`);
      if (s.type === 'string' && s.secret) notes.push(`or --${name}-file=PATH (- for stdin)${s.envVar ? ` or $${s.envVar}` : ''}`);
      out.push(`  --${(name + value).padEnd(22)} ${s.description}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    }
    out.push('');
  }
  if (def.examples?.length) {
    out.push('Examples:');
    for (const e of def.examples) out.push(`  ${e}`);
    out.push('');
  }
  out.push('Global options: see "aegir help".');
  return out.join('\n') + '\n';
}

/** The list of commands, grouped by module, with the global options. */
export function commandList(commands: ReadonlyMap<string, RegisteredCommand>): string {
  const seen = new Set<CommandDefinition<OptionSpecs>>();
  const rows: string[][] = [];
  for (const c of [...commands.values()].sort((a, b) => a.definition.name.localeCompare(b.definition.name))) {
    if (seen.has(c.definition)) continue;
    seen.add(c.definition);
    rows.push([c.definition.name, c.module, c.definition.description]);
  }
  const globals = GLOBAL_HELP.map(([k, v]) => `  ${k.padEnd(30)} ${v}`).join('\n');
  return `Usage: aegir [@alias] [global options] <command> [arguments] [options]\n\nCommands:\n${table(['command', 'module', 'description'], rows).replace(/^/gm, '  ')}\nGlobal options:\n${globals}\n\nRun "aegir <command> --help" for a command's arguments and options.\n`;
}
