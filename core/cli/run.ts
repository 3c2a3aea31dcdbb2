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
import type { CommandContext, CommandResult, RegisteredCommand } from './command.js';
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
    const codebase = chooseCodebase(global.root ?? alias?.root, io.cwd, defaultRoot, importer);
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
    const commands = commandRegistry(site?.kernel ?? (await rootKernel(codebase, choice.name)));
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
    const parsed = await parseCommand(def, line.rest, { env: io.env, readStdin: io.readStdin });
    for (const s of parsed.secrets) logger.redact(s);
    for (const o of parsed.secretsOnArgv) {
      logger.warning(`--${o} on the command line is visible to other users of this machine; prefer --${o}-file=PATH or standard input (--${o}-file=-).`);
    }
    if (def.bootstrap === 'full' && !site) throw siteProblem ?? new AegirError('ERR_SITE_NOT_INSTALLED', { site: choice.name, uri: uri ?? choice.name });

    const ctx: CommandContext = {
      args: parsed.args,
      options: parsed.options as CommandContext['options'],
      codebase,
      siteDir: choice.name,
      uri: uri ?? choice.name,
      site,
      siteProblem,
      logger,
      cwd: io.cwd,
      yes: global.yes,
      readStdin: io.readStdin,
      commands: commands as ReadonlyMap<string, RegisteredCommand>,
    };
    const result: CommandResult = (await def.run(ctx)) ?? {};
    printResult(io, mode(global), def.name, result, Math.round(performance.now() - started));
    return 0;
  } catch (e) {
    printError(io, mode(global), commandName, e, global.debug, (s) => logger.scrub(s), Math.round(performance.now() - started));
    return isAegirError(e) && USAGE_CODES.has(e.code) ? 2 : 1;
  } finally {
    await site?.close().catch(() => undefined);
  }
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
 * The kernel for a codebase without an installed site: the required modules
 * and what they depend on. Their commands (site-install, status, help) are
 * the ones that make sense before a site exists.
 */
async function rootKernel(codebase: Codebase, siteDir: string): Promise<Kernel> {
  const catalog = codebase.modules(undefined, siteDir);
  const required = [...catalog.values()].filter((m) => m.manifest.required && m.manifest.type === 'module').map((m) => m.manifest.name);
  return Kernel.create(await codebase.load(catalog, orderModules(catalog, withDependencies(catalog, required))));
}
