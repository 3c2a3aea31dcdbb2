import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AegirError, isAegirError } from '../errors/aegir-error.js';
import { Kernel } from '../kernel/kernel.js';
import { Logger, type LogLevel } from '../logger/logger.js';
import { orderModules, withDependencies } from '../modules/graph.js';
import type { ModuleImporter } from '../modules/loader.js';
import { Codebase } from '../site/codebase.js';
import { bootSite, type Site } from '../site/site.js';
import { resolveAlias } from './aliases.js';
import { parseLine, type GlobalOptions } from './argv.js';
import type { CommandContext, CommandDefinition, CommandResult, OptionSpecs, RegisteredCommand } from './command.js';
import { commandHelp } from './help.js';
import { parseCommand } from './options.js';
import { backendSink, humanSink, printError, printResult, type CliIo } from './output.js';
import { commandRegistry } from './registry.js';
import { closest } from '../util/suggest.js';

/** Exit status: 0 success, 1 the command failed, 2 the command line was wrong. */
export type ExitCode = 0 | 1 | 2;

const USAGE_CODES = new Set([
  'ERR_COMMAND_UNKNOWN', 'ERR_CLI_OPTION_UNKNOWN', 'ERR_CLI_OPTION_VALUE', 'ERR_CLI_OPTION_MISSING',
  'ERR_CLI_ARGUMENT_MISSING', 'ERR_CLI_ARGUMENT_EXTRA', 'ERR_CLI_ARGUMENT_INVALID',
]);

/**
 * Run one command line: pick the codebase and site, boot the site if it is
 * installed, find the command among the modules' commands, check its
 * arguments, run it and print the result (for people, as JSON, or as JSON
 * lines with --backend). Returns the exit status; never throws.
 *
 * `defaultRoot` is the codebase this program belongs to, used when neither
 * --root, an alias nor the current folder names one. `importer` loads module
 * entries (the compiled program's answers from its bundle).
 */
export async function runCli(argv: readonly string[], io: CliIo, defaultRoot: string, importer?: ModuleImporter): Promise<ExitCode> {
  const started = performance.now();
  // Known before parsing, so that even a malformed line answers in the mode asked for.
  let global: GlobalOptions = { backend: argv.includes('--backend'), format: 'human', yes: false, verbose: false, debug: false, quiet: false, help: false };
  let logger = makeLogger(io, global);
  let commandName: string | undefined;
  let site: Site | undefined;
  try {
    const line = parseLine(argv);
    global = line.global;
    logger = makeLogger(io, global);
    commandName = line.command ?? 'help';

    const alias = global.alias ? resolveAlias(global.alias, io.env) : undefined;
    const uri = global.uri ?? alias?.uri;
    // A backend command (provision's) works on a named context from the codebase it was run in:
    // @name names the context, and a site alias's root must not swap the back end for the site's platform.
    const own = chooseCodebase(global.root, io.cwd, defaultRoot, importer);
    const ownKernel = await backendKernel(own);
    const ownCommand = commandRegistry(ownKernel).get(commandName);
    const useOwn = ownCommand?.definition.bootstrap === 'backend' || global.root !== undefined || alias?.root === undefined || alias.root === own.root;
    const codebase = useOwn ? own : chooseCodebase(alias.root, io.cwd, defaultRoot, importer);
    // Commands of the required and global modules exist without any site.
    const cliKernel = useOwn ? ownKernel : await backendKernel(codebase);
    const backend = commandRegistry(cliKernel);

    const backendCommand = backend.get(commandName);
    if (backendCommand?.definition.bootstrap === 'backend') {
      if (global.help) {
        io.stdout(commandHelp(backendCommand.definition));
        return 0;
      }
      const result = await execute(backendCommand.definition, line.rest, {
        codebase, siteDir: 'default', uri: uri ?? '', alias: global.alias, site: undefined, siteProblem: undefined,
        logger, cwd: io.cwd, env: io.env, yes: global.yes, readStdin: io.readStdin, commands: backend, kernel: cliKernel,
      }, io);
      printResult(io, mode(global), backendCommand.definition.name, result, Math.round(performance.now() - started));
      return 0;
    }

    const choice = codebase.chooseSite(uri);
    let siteProblem: Error | undefined;
    if (codebase.hasSettings(choice.name)) {
      try {
        site = await bootSite(codebase, choice.name, logger);
      } catch (e) {
        siteProblem = e as Error;
      }
    } else {
      siteProblem = new AegirError('ERR_SITE_NOT_INSTALLED', { site: codebase.sitePath(choice.name), uri: uri ?? choice.name });
    }
    const commands = site ? withBackend(commandRegistry(site.kernel), backend) : backend;
    const found = commands.get(commandName);
    if (!found) {
      // A command of a module this site has not enabled still deserves a clear word on why.
      if (siteProblem && isAegirError(siteProblem) && siteProblem.code !== 'ERR_SITE_NOT_INSTALLED') throw siteProblem;
      throw new AegirError('ERR_COMMAND_UNKNOWN', { command: commandName, suggestion: closest(commandName, commands.keys()) });
    }
    const def = found.definition;
    if (global.help) {
      io.stdout(commandHelp(def));
      return 0;
    }
    if (def.bootstrap === 'full' && !site) {
      // Still check the command line first: a wrong option is the first thing to hear about.
      await parseCommand(def, line.rest, { env: io.env, readStdin: io.readStdin });
      throw siteProblem ?? new AegirError('ERR_SITE_NOT_INSTALLED', { site: choice.name, uri: uri ?? choice.name });
    }
    const result = await execute(def, line.rest, {
      codebase, siteDir: choice.name, uri: uri ?? choice.name, alias: global.alias, site, siteProblem,
      logger, cwd: io.cwd, env: io.env, yes: global.yes, readStdin: io.readStdin, commands,
      kernel: site && commandRegistry(site.kernel).get(commandName) === found ? site.kernel : cliKernel,
    }, io);
    printResult(io, mode(global), def.name, result, Math.round(performance.now() - started));
    return 0;
  } catch (e) {
    printError(io, mode(global), commandName, e, global.debug, (s) => logger.scrub(s), Math.round(performance.now() - started));
    return isAegirError(e) && USAGE_CODES.has(e.code) ? 2 : 1;
  } finally {
    await site?.close().catch(() => undefined);
  }
}

/** Parse a command's own arguments against its definition, then run it. */
async function execute(
  def: CommandDefinition<OptionSpecs>,
  rest: readonly string[],
  base: Omit<CommandContext, 'args' | 'options'>,
  io: CliIo,
): Promise<CommandResult> {
  const parsed = await parseCommand(def, rest, { env: io.env, readStdin: io.readStdin });
  for (const s of parsed.secrets) base.logger.redact(s);
  for (const o of parsed.secretsOnArgv) {
    base.logger.warning(`--${o} on the command line is visible to other users of this machine; prefer --${o}-file=PATH or standard input (--${o}-file=-).`);
  }
  return (await def.run({ ...base, args: parsed.args, options: parsed.options as CommandContext['options'] })) ?? {};
}

/** A site's commands plus those of the global modules it does not have. */
function withBackend(own: ReadonlyMap<string, RegisteredCommand>, backend: ReadonlyMap<string, RegisteredCommand>): ReadonlyMap<string, RegisteredCommand> {
  const out = new Map(own);
  for (const [name, c] of backend) if (!out.has(name)) out.set(name, c);
  return out;
}

function mode(g: GlobalOptions): 'human' | 'json' | 'backend' {
  return g.backend ? 'backend' : g.format;
}

function makeLogger(io: CliIo, g: GlobalOptions): Logger {
  const level: LogLevel = g.debug || g.verbose ? 'debug' : g.quiet ? 'warning' : 'info';
  return new Logger(g.backend ? backendSink(io) : humanSink(io), level);
}

function chooseCodebase(root: string | undefined, cwd: string, defaultRoot: string, importer?: ModuleImporter): Codebase {
  if (root !== undefined) {
    const abs = isAbsolute(root) ? root : resolve(cwd, root);
    if (!existsSync(abs)) throw new AegirError('ERR_ROOT_INVALID', { root: abs, problem: 'it does not exist' });
    return new Codebase(abs, importer);
  }
  return Codebase.find(cwd, importer) ?? new Codebase(defaultRoot, importer);
}

/**
 * The kernel of the command line itself: the required modules and the
 * global ones (provision and the services that plug into it) with what they
 * depend on. Its commands exist without a site: site-install, status, help,
 * and the backend commands that work on provision contexts.
 */
async function backendKernel(codebase: Codebase): Promise<Kernel> {
  const catalog = codebase.modules(undefined, undefined);
  const wanted = [...catalog.values()].filter((m) => (m.manifest.required || m.manifest.global) && m.manifest.type === 'module').map((m) => m.manifest.name);
  return Kernel.create(await codebase.load(catalog, orderModules(catalog, withDependencies(catalog, wanted))), catalog.keys());
}
