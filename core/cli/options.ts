import { readFileSync } from 'node:fs';
import { AegirError } from '../errors/aegir-error.js';
import { closest } from '../util/suggest.js';
import type { CommandDefinition, OptionSpec, OptionSpecs } from './command.js';

/** A command's arguments and options, checked against its definition. */
export interface ParsedCommand {
  readonly args: Record<string, string | readonly string[] | undefined>;
  readonly options: Record<string, string | number | boolean | undefined>;
  /** Secret values read (to keep them out of logs). */
  readonly secrets: readonly string[];
  /** Secret options that were given on the command line itself. */
  readonly secretsOnArgv: readonly string[];
}

/** Where secrets may come from besides the command line. */
export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readStdin: () => Promise<string>;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/**
 * Parse a command's own tokens: `--name=value`, `--name value`, `--flag`,
 * `--no-flag`, positionals, and `--` before positionals that start with a
 * dash. Unknown options, missing or extra arguments and bad values are coded
 * errors that say what to type instead.
 */
export async function parseCommand(def: CommandDefinition<OptionSpecs>, rest: readonly string[], sources: SecretSources): Promise<ParsedCommand> {
  const specs: OptionSpecs = def.options ?? {};
  const raw = new Map<string, string | true | false>();
  const positionals: string[] = [];
  const fileFor = new Map<string, string>();
  const cmd = def.name;
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (tok === '--') { positionals.push(...rest.slice(i + 1)); break; }
    if (!tok.startsWith('-') || tok === '-') { positionals.push(tok); continue; }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(tok);
    if (!m) throw new AegirError('ERR_CLI_OPTION_UNKNOWN', { option: tok.replace(/^-+/, ''), command: cmd, suggestion: undefined });
    const name = m[1]!;
    const inline = m[2];
    const secretFile = /^(.+)-file$/.exec(name);
    if (!specs[name] && secretFile && specs[secretFile[1]!]?.type === 'string' && (specs[secretFile[1]!] as { secret?: boolean }).secret) {
      const [v, j] = takeValue(name, inline, rest, i, cmd);
      if (fileFor.has(secretFile[1]!)) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem: 'it was given more than once' });
      fileFor.set(secretFile[1]!, v);
      i = j;
      continue;
    }
    if (!specs[name] && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean' && inline === undefined) {
      if (raw.has(name.slice(3))) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name.slice(3), command: cmd, problem: 'it was given more than once' });
      raw.set(name.slice(3), false);
      continue;
    }
    const spec = specs[name];
    if (!spec) throw new AegirError('ERR_CLI_OPTION_UNKNOWN', { option: name, command: cmd, suggestion: closest(name, Object.keys(specs)) });
    if (raw.has(name)) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem: 'it was given more than once' });
    if (spec.type === 'boolean') {
      if (inline === undefined) raw.set(name, true);
      else if (TRUE.has(inline.toLowerCase())) raw.set(name, true);
      else if (FALSE.has(inline.toLowerCase())) raw.set(name, false);
      else throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem: `"${inline}" is not true or false` });
      continue;
    }
    const [v, j] = takeValue(name, inline, rest, i, cmd);
    raw.set(name, v);
    i = j;
  }

  const options: Record<string, string | number | boolean | undefined> = {};
  const secrets: string[] = [];
  const secretsOnArgv: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    let v = raw.get(name);
    if (spec.type === 'string' && spec.secret) {
      if (v !== undefined && fileFor.has(name)) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem: `give it either directly or with --${name}-file, not both` });
      if (v !== undefined) secretsOnArgv.push(name);
      else if (fileFor.has(name)) v = await readSecret(name, fileFor.get(name)!, sources);
      else if (spec.envVar && sources.env[spec.envVar] !== undefined) v = sources.env[spec.envVar]!;
      if (typeof v === 'string') secrets.push(v);
    }
    options[name] = convert(cmd, name, spec, v);
  }
  return { args: assignArguments(def, positionals), options, secrets, secretsOnArgv };
}

function takeValue(name: string, inline: string | undefined, rest: readonly string[], i: number, cmd: string): [string, number] {
  if (inline !== undefined) return [inline, i];
  const next = rest[i + 1];
  if (next === undefined || (next.startsWith('--') && next.length > 2)) {
    throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem: `a value is required (--${name}=VALUE)` });
  }
  return [next, i + 1];
}

async function readSecret(option: string, source: string, sources: SecretSources): Promise<string> {
  try {
    const text = source === '-' ? await sources.readStdin() : readFileSync(source, 'utf8');
    // One trailing newline is what editors and `echo` add; it is not part of the secret.
    return text.replace(/\r?\n$/, '');
  } catch (e) {
    throw new AegirError('ERR_SECRET_SOURCE', { option, source: source === '-' ? 'standard input' : source, problem: (e as Error).message });
  }
}

function convert(cmd: string, name: string, spec: OptionSpec, v: string | boolean | undefined): string | number | boolean | undefined {
  const bad = (problem: string): never => { throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: cmd, problem }); };
  if (spec.type === 'boolean') return v === true;
  if (v === undefined || v === false) {
    if ('required' in spec && spec.required) throw new AegirError('ERR_CLI_OPTION_MISSING', { option: name, command: cmd });
    return 'default' in spec ? spec.default : undefined;
  }
  const s = String(v);
  if (spec.type === 'integer') {
    if (!/^-?\d{1,15}$/.test(s)) bad(`"${s}" is not a whole number`);
    const n = Number(s);
    if (spec.min !== undefined && n < spec.min) bad(`it must be at least ${spec.min}`);
    if (spec.max !== undefined && n > spec.max) bad(`it must be at most ${spec.max}`);
    return n;
  }
  if (/[\0\n\r]/.test(s)) bad('it must not contain line breaks or NUL characters');
  if (spec.choices && !spec.choices.includes(s)) bad(`"${s}" is not one of ${spec.choices.join(', ')}`);
  const problem = spec.validate?.(s);
  if (problem) bad(problem);
  return s;
}

function assignArguments(def: CommandDefinition<OptionSpecs>, positionals: string[]): Record<string, string | readonly string[] | undefined> {
  const specs = def.arguments ?? [];
  const out: Record<string, string | readonly string[] | undefined> = {};
  let i = 0;
  for (const a of specs) {
    if (a.variadic) {
      out[a.name] = positionals.slice(i);
      for (const v of positionals.slice(i)) {
        if (/[\0\n\r]/.test(v)) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: def.name, argument: a.name, problem: 'it must not contain line breaks' });
      }
      if (a.required && i >= positionals.length) throw new AegirError('ERR_CLI_ARGUMENT_MISSING', { command: def.name, argument: a.name });
      i = positionals.length;
      continue;
    }
    const v = positionals[i++];
    if (v === undefined && a.required) throw new AegirError('ERR_CLI_ARGUMENT_MISSING', { command: def.name, argument: a.name });
    if (v !== undefined && /[\0\n\r]/.test(v)) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: def.name, argument: a.name, problem: 'it must not contain line breaks' });
    out[a.name] = v;
  }
  if (i < positionals.length) throw new AegirError('ERR_CLI_ARGUMENT_EXTRA', { command: def.name, max: specs.length, value: positionals[i] });
  return out;
}
