import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { defineCommand } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import type { DiscoveredModule } from '../../../core/modules/discovery.js';
import type { Codebase } from '../../../core/site/codebase.js';
import { nodeTypeFiles, SERVICE_KINDS, serviceFiles, taskFiles, type ServiceKind } from './scaffold-kinds.js';
import { plainFiles, scaffoldNames, type ScaffoldFile, type ScaffoldKind } from './scaffold-templates.js';

/** What a new module's machine name must look like (stricter than a manifest's: 2 to 50 characters). */
export const NEW_MODULE_NAME = /^[a-z][a-z0-9_]{1,49}$/;

const COMMAND = 'module-create';

/**
 * Every module and profile the codebase holds, wherever a site could see
 * it: core modules, sites/all/modules, and the modules of each profile and
 * of each site folder. A new module must not share a name with any.
 */
export function everyModule(codebase: Codebase): Map<string, DiscoveredModule> {
  const all = new Map(codebase.modules());
  for (const p of codebase.profiles()) for (const [k, v] of codebase.modules(p.manifest.name)) if (!all.has(k)) all.set(k, v);
  let sites: string[] = [];
  try { sites = readdirSync(join(codebase.root, 'sites'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'all' && !e.name.startsWith('.')).map((e) => e.name); } catch { /* no sites yet */ }
  for (const s of sites) for (const [k, v] of codebase.modules(undefined, s)) if (!all.has(k)) all.set(k, v);
  return all;
}

/** The files of a skeleton of `kind` for the module `name`. */
export function scaffoldFiles(name: string, kind: ScaffoldKind): ScaffoldFile[] {
  const n = scaffoldNames(name);
  switch (kind) {
    case 'plain': return plainFiles(n);
    case 'task': return taskFiles(n);
    case 'node-type': return nodeTypeFiles(n);
    default: return serviceFiles(n, kind);
  }
}

/**
 * Write `files` into `target` all at once: into a hidden folder beside it
 * (discovery skips dot folders), renamed into place at the end, so that a
 * failure leaves no module behind, half written or whole.
 */
export function writeAtomically(target: string, files: readonly ScaffoldFile[]): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(join(dirname(target), '.module-create-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
      writeFileSync(join(tmp, f.path), f.text, { flag: 'wx' });
    }
    // renameSync replaces an empty folder made meanwhile; a full one makes it fail, as it should.
    if (existsSync(target)) throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: COMMAND, argument: 'name', problem: `${target} was made meanwhile; choose another name or remove that folder` });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** `aegir module-create NAME`: a typed skeleton of a contrib module in sites/all/modules, with a test that passes. */
export const moduleCreate = defineCommand({
  name: COMMAND,
  description: 'Write the skeleton of a new contrib module in sites/all/modules: module.json, index.ts, the files of its kind, and a test that passes.',
  arguments: [{ name: 'name', description: 'Machine name of the new module (a-z, 0-9, _; 2 to 50 characters, starting with a letter)', required: true }],
  options: {
    service: { type: 'string', description: 'A global module providing a provision service of this kind', choices: SERVICE_KINDS, valueName: 'KIND' },
    task: { type: 'boolean', description: 'A global module with a provision site task and its hosting task type (with a permission)' },
    'node-type': { type: 'boolean', description: 'A module with a node type and its validation' },
  },
  bootstrap: 'root',
  examples: ['aegir module-create my_module', 'aegir module-create my_web --service=http', 'aegir module-create site_report --task', 'aegir module-create bookmark --node-type'],
  async run(ctx) {
    const name = ctx.args.name as string;
    const bad = (problem: string): never => { throw new AegirError('ERR_CLI_ARGUMENT_INVALID', { command: COMMAND, argument: 'name', problem }); };
    if (!NEW_MODULE_NAME.test(name)) bad(`"${name}" is not a machine name: use 2 to 50 lower case letters, digits and "_", starting with a letter (such as my_module)`);
    const kinds = [ctx.options.service && '--service', ctx.options.task && '--task', ctx.options['node-type'] && '--node-type'].filter(Boolean);
    if (kinds.length > 1) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'service', command: COMMAND, problem: `give at most one of --service, --task and --node-type (got ${kinds.join(', ')})` });
    // The name is the service's type too, and provision takes types of at most 32 characters.
    if (ctx.options.service && name.length > 32) bad(`"${name}" is also the service type, which is at most 32 characters: choose a shorter name`);
    const taken = everyModule(ctx.codebase).get(name);
    if (taken) bad(`a module named "${name}" exists already (${relative(ctx.codebase.root, taken.dir) || '.'}); choose another name`);
    const target = join(ctx.codebase.root, 'sites', 'all', 'modules', name);
    if (existsSync(target)) bad(`the folder sites/all/modules/${name} exists already; choose another name, or remove that folder`);
    const kind: ScaffoldKind = ctx.options.task ? 'task' : ctx.options['node-type'] ? 'node-type' : (ctx.options.service as ServiceKind | undefined) ?? 'plain';
    const files = scaffoldFiles(name, kind);
    writeAtomically(target, files);
    const paths = files.map((f) => `sites/all/modules/${name}/${f.path}`);
    const next = [`npx mocha sites/all/modules/${name}/${name}.test.ts`, `aegir pm-enable ${name}`];
    ctx.logger.success(`Wrote the ${kind === 'plain' ? '' : `${kind} `}module ${name}.`);
    return {
      data: { module: name, kind, dir: target, files: paths, next },
      text: ['Files written:', ...paths.map((p) => `  ${p}`), 'Next steps:', ...next.map((c) => `  ${c}`)].join('\n'),
    };
  },
});
