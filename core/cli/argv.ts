import { AegirError } from '../errors/aegir-error.js';

/** Options every command understands, wherever they appear on the line. */
export interface GlobalOptions {
  /** `@name` given first: an alias of a site (and maybe a codebase). */
  readonly alias?: string | undefined;
  /** --uri / -l: the site's address. */
  readonly uri?: string | undefined;
  /** --root / -r: the codebase root. */
  readonly root?: string | undefined;
  /** --backend: JSON lines for the bridge. */
  readonly backend: boolean;
  /** --format: how to print a command's result. */
  readonly format: 'human' | 'json';
  readonly yes: boolean;
  readonly verbose: boolean;
  readonly debug: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

/** The command line split into global options, command name and the command's own tokens. */
export interface ParsedLine {
  readonly global: GlobalOptions;
  readonly command: string | undefined;
  /** Tokens after global options were taken out, for the command to parse. */
  readonly rest: readonly string[];
}

const ALIAS = /^@[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** Descriptions of the global options, for help. */
export const GLOBAL_HELP: readonly [string, string][] = [
  ['@alias', 'Site alias or provision context, first or right after the command (a file in $AEGIR_HOME/aliases/, else a site address); after the command with --uri, the command\'s first argument'],
  ['--uri=URI, -l URI', 'Address of the site (example.com, example.com:8080/sub)'],
  ['--root=PATH, -r PATH', 'Codebase root (default: the folder above the current one that holds core/)'],
  ['--backend', 'Print one JSON object per line: log entries, then the result'],
  ['--format=human|json', 'Print the result for people (default) or as JSON'],
  ['--yes, -y', 'Answer yes to every confirmation'],
  ['--verbose, -v / --debug, -d', 'Show info / debug messages'],
  ['--quiet, -q', 'Show only warnings and errors'],
  ['--help, -h', 'Help for the command'],
];

/**
 * Take the global options out of a command line, wherever they are, and find
 * the command name (the first other word). Everything after `--` is left to
 * the command untouched.
 */
export function parseLine(argv: readonly string[]): ParsedLine {
  const g: { -readonly [K in keyof GlobalOptions]: GlobalOptions[K] } = {
    backend: false, format: 'human', yes: false, verbose: false, debug: false, quiet: false, help: false,
  };
  const rest: string[] = [];
  let command: string | undefined;
  let aliasAfterCommand = false;
  const value = (name: string, inline: string | undefined, i: number): [string, number] => {
    if (inline !== undefined) return [inline, i];
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('-')) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: name, command: command ?? 'aegir', problem: 'a value is required' });
    return [next, i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(tok);
    const name = m?.[1];
    const inline = m?.[2];
    if (name === 'uri' || tok === '-l') { [g.uri, i] = value('uri', inline, i); continue; }
    if (name === 'root' || tok === '-r') { [g.root, i] = value('root', inline, i); continue; }
    if (name === 'format') {
      let f: string;
      [f, i] = value('format', inline, i);
      if (f !== 'human' && f !== 'json') throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'format', command: command ?? 'aegir', problem: 'use human or json' });
      g.format = f;
      continue;
    }
    const flag = flagName(tok, name, inline);
    if (flag) { g[flag] = true; continue; }
    // "@alias" comes first, or right after the command (`aegir provision-save @name ...`).
    if (rest.length === 0 && g.alias === undefined && tok.startsWith('@')) {
      if (!ALIAS.test(tok)) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { argument: 'alias', command: 'aegir', problem: `"${tok}" is not a valid alias name` });
      g.alias = tok.slice(1);
      aliasAfterCommand = command !== undefined;
      continue;
    }
    if (command === undefined && !tok.startsWith('-')) { command = tok; continue; }
    rest.push(tok);
  }
  // With the site chosen by --uri, an @name after the command is the command's first argument
  // (`aegir --uri=hostmaster hosting-task @example.com backup`), not a second choice of site.
  if (aliasAfterCommand && g.uri !== undefined && g.alias !== undefined) {
    rest.unshift(`@${g.alias}`);
    g.alias = undefined;
  }
  return { global: g, command, rest };
}

type Flag = 'backend' | 'yes' | 'verbose' | 'debug' | 'quiet' | 'help';
const SHORT: Record<string, Flag> = { '-y': 'yes', '-v': 'verbose', '-d': 'debug', '-q': 'quiet', '-h': 'help' };

function flagName(tok: string, name: string | undefined, inline: string | undefined): Flag | undefined {
  if (SHORT[tok]) return SHORT[tok];
  if (inline !== undefined) return undefined;
  return name === 'backend' || name === 'yes' || name === 'verbose' || name === 'debug' || name === 'quiet' || name === 'help' ? name : undefined;
}
