import type { Json } from '../config/config-store.js';
import type { Logger } from '../logger/logger.js';
import type { Site } from '../site/site.js';
import type { Codebase } from '../site/codebase.js';
import type { Kernel } from '../kernel/kernel.js';

/** A command-line option, typed; a wrong key for its type is a compile error. */
export type OptionSpec =
  | { readonly type: 'boolean'; readonly description: string }
  | {
      readonly type: 'string';
      readonly description: string;
      readonly required?: boolean;
      readonly default?: string;
      readonly choices?: readonly string[];
      /** Name of the value in help (`--db-url=URL`). */
      readonly valueName?: string;
      /**
       * The value is a secret (a password): it may also come from a file
       * (`--NAME-file=PATH`, `-` for standard input) or the environment
       * variable `envVar`, and is never logged. Given directly on the
       * command line it works but warns, since argv is visible to other users.
       */
      readonly secret?: boolean;
      readonly envVar?: string;
      /** Extra check; return a problem to reject the value. */
      readonly validate?: (value: string) => string | undefined;
    }
  | { readonly type: 'integer'; readonly description: string; readonly required?: boolean; readonly default?: number; readonly min?: number; readonly max?: number };

/** Options of a command by name (without the leading dashes). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The parsed value type of one option spec. */
export type OptionValue<S> =
  S extends { type: 'boolean' } ? boolean
  : S extends { type: 'integer'; default: number } | { type: 'integer'; required: true } ? number
  : S extends { type: 'integer' } ? number | undefined
  : S extends { type: 'string'; default: string } | { type: 'string'; required: true } ? string
  : string | undefined;

/** Parsed option values of a command, typed from its specs. */
export type OptionValues<O extends OptionSpecs> = { readonly [K in keyof O]: OptionValue<O[K]> };

/** A positional argument. */
export interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Takes every remaining argument (last argument only). */
  readonly variadic?: boolean;
}

/**
 * How much a command needs before it runs:
 * `root` a codebase; `site` a chosen site folder (maybe not installed yet);
 * `full` an installed, booted site; `backend` no site at all: the command
 * works on the provision context named by `@alias` (provision's commands).
 */
export type Bootstrap = 'root' | 'site' | 'full' | 'backend';

/** What a command gets when it runs. */
export interface CommandContext<O extends OptionSpecs = OptionSpecs> {
  /** Positional arguments by name (a variadic one is an array). */
  readonly args: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly options: OptionValues<O>;
  readonly codebase: Codebase;
  /** The chosen site's folder name under sites/. */
  readonly siteDir: string;
  /** The address the site was chosen by (--uri or alias), or the folder name. */
  readonly uri: string;
  /** `@name` as given on the command line (a site alias, or a provision context for backend commands). */
  readonly alias: string | undefined;
  /** The booted site: always set for `full` commands, set for others when the site is installed. */
  readonly site: Site | undefined;
  /** Why the site could not be booted, when it could not. */
  readonly siteProblem: Error | undefined;
  readonly logger: Logger;
  /** The environment of the command line (AEGIR_HOME and the like). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The working folder of the command line, for relative paths the user gives. */
  readonly cwd: string;
  /** --yes was given: answer yes to confirmations. */
  readonly yes: boolean;
  /** Standard input, for secrets given as `-`. */
  readonly readStdin: () => Promise<string>;
  /** The kernel the command came from: the site's, or for backend and site-less commands the command line's own (required and global modules). */
  readonly kernel: Kernel;
  /** Every command this process knows, for help. */
  readonly commands: ReadonlyMap<string, RegisteredCommand>;
}

/** What a command returns: data for --backend and --format=json, text for people, and context changes for the bridge. */
export interface CommandResult {
  readonly data?: Json;
  readonly text?: string;
  /** Changes to a provision context the bridge should save (later layers). */
  readonly context?: Readonly<Record<string, Json>>;
}

/** A command contributed by a module. */
export interface CommandDefinition<O extends OptionSpecs = OptionSpecs> {
  /** Name as typed: lower case words joined by "-". */
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly arguments?: readonly ArgumentSpec[];
  readonly options?: O;
  readonly bootstrap: Bootstrap;
  readonly examples?: readonly string[];
  run(ctx: CommandContext<O>): Promise<CommandResult | void>;
}

/** A command with the module that declared it. */
export interface RegisteredCommand {
  readonly module: string;
  readonly definition: CommandDefinition<OptionSpecs>;
}

type AllowedKeys<S> =
  S extends { type: 'boolean' } ? 'type' | 'description'
  : S extends { type: 'integer' } ? 'type' | 'description' | 'required' | 'default' | 'min' | 'max'
  : 'type' | 'description' | 'required' | 'default' | 'choices' | 'valueName' | 'secret' | 'envVar' | 'validate';

/** Options whose specs carry only the keys of their own type: an inferred literal is otherwise not checked for extra keys. */
type ExactOptions<O> = {
  readonly [K in keyof O]: { readonly [P in keyof O[K]]: P extends AllowedKeys<O[K]> ? O[K][P] : `"${P & string}" is not a key of this option type` };
};

/** Type-check a command definition and keep its option types for `run`. */
export function defineCommand<const O extends OptionSpecs = {}>(
  def: Omit<CommandDefinition<O>, 'options'> & { readonly options?: ExactOptions<O> },
): CommandDefinition<OptionSpecs> {
  return def as unknown as CommandDefinition<OptionSpecs>;
}
