import { readFileSync } from 'node:fs';
import type { CommandContext, OptionSpecs } from '../../../core/cli/command.js';
import { parseCommand } from '../../../core/cli/options.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { provisionSave } from './save.js';

/** One context to write before a task: its name and provision-save's options for it (without `--`). */
export interface ContextSave {
  readonly name: string;
  readonly options: Readonly<Record<string, string | number | boolean>>;
}

/** The option every task command takes to write contexts before the task, in the same process. */
export const SAVE_CONTEXTS_OPTION: OptionSpecs = {
  'save-contexts': {
    type: 'string',
    valueName: 'FILE',
    description: 'Write these contexts first, as provision-save would: a JSON list of {"name", "options"} in FILE, or on standard input with "-" (the front end writes its objects this way before each task)',
  },
};

/** At most this many contexts in one list (a task needs its own, its platform and servers, and a target or two). */
const MAX_SAVES = 16;

function invalid(command: string, problem: string): AegirError {
  return new AegirError('ERR_CLI_OPTION_VALUE', { option: 'save-contexts', command, problem });
}

/**
 * Read a list of context saves. Each entry is checked for shape here and
 * then, option by option, by provision-save's own parser when it runs; a
 * secret (the db admin password) is refused: it has its own way in.
 */
export function parseContextSaves(text: string, command: string): ContextSave[] {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw invalid(command, `it is not JSON (${(e as Error).message})`); }
  if (!Array.isArray(raw)) throw invalid(command, 'it must be a JSON list of {"name", "options"}');
  if (raw.length > MAX_SAVES) throw invalid(command, `it lists ${raw.length} contexts; at most ${MAX_SAVES}`);
  return raw.map((entry: unknown, i): ContextSave => {
    const e = entry as { name?: unknown; options?: unknown } | null;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || typeof e.options !== 'object' || e.options === null || Array.isArray(e.options)) {
      throw invalid(command, `entry ${i + 1} must be {"name": "<context>", "options": {...}}`);
    }
    for (const [k, v] of Object.entries(e.options)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw invalid(command, `entry ${i + 1}: option "${k}" must be text, a number or true/false`);
      if (k.startsWith('db-admin-pass')) throw invalid(command, `entry ${i + 1}: the db admin password is not taken here; give it to provision-save on its standard input`);
    }
    return { name: e.name, options: e.options as ContextSave['options'] };
  });
}

/** provision-save's command line for one save: `--name=value`, `--flag` for true, nothing for false. */
function saveArgs(options: ContextSave['options']): string[] {
  return Object.keys(options).sort().flatMap((k) => {
    const v = options[k];
    if (v === false) return [];
    return v === true ? [`--${k}`] : [`--${k}=${String(v)}`];
  });
}

/**
 * Write the contexts a `--save-contexts` option names, in order, through
 * provision-save itself (same checks, same journal guard, same log lines),
 * before the task runs in this process. The first one refused ends it all.
 */
export async function saveContextsFirst(cli: CommandContext, command: string, source: string): Promise<void> {
  let text: string;
  try {
    text = source === '-' ? await cli.readStdin() : readFileSync(source, 'utf8');
  } catch (e) {
    throw invalid(command, `${source} could not be read (${(e as Error).message})`);
  }
  for (const save of parseContextSaves(text, command)) {
    const parsed = await parseCommand(provisionSave, saveArgs(save.options), { env: {}, readStdin: () => Promise.reject(invalid(command, 'no secret can be read here')) });
    await provisionSave.run({ ...cli, alias: save.name.replace(/^@/, ''), args: parsed.args, options: parsed.options as never });
  }
}
