/**
 * The files `aegir module-create` writes, as text built from the module's
 * names. Generated code imports core and shipped modules relative to the
 * module folder (sites/all/modules/NAME: four levels below the root), so
 * the same text type-checks and runs in any codebase. The kinds with a
 * service, a task or a node type are in scaffold-kinds.ts.
 */

/** The kinds of skeleton module-create writes. */
export type ScaffoldKind = 'plain' | 'http' | 'db' | 'app' | 'task' | 'node-type';

/** The names a skeleton is built from, all derived from the module's machine name. */
export interface ScaffoldNames {
  /** Machine name (`my_module`). */
  readonly name: string;
  /** Dashed, for commands and task names (`my-module`). */
  readonly dashed: string;
  /** camelCase, for identifiers (`myModule`). */
  readonly camel: string;
  /** Words for people (`My module`). */
  readonly label: string;
}

/** One file of a skeleton: its path inside the module folder and its text. */
export interface ScaffoldFile {
  readonly path: string;
  readonly text: string;
}

/** Where core is, seen from a module folder under sites/all/modules. */
export const UP = '../../../../';

/** The names of a module, from its machine name. */
export function scaffoldNames(name: string): ScaffoldNames {
  const words = name.split('_').filter(Boolean);
  return {
    name,
    dashed: words.join('-'),
    camel: words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join(''),
    label: words.join(' ').replace(/^./, (c) => c.toUpperCase()),
  };
}

/** module.json of a skeleton. */
export function manifestFile(n: ScaffoldNames, opts: { global?: boolean; dependencies?: Record<string, string> } = {}): ScaffoldFile {
  const manifest = {
    name: n.name,
    description: `${n.label}: say in one line what this module does (written by aegir module-create).`,
    version: '0.1.0',
    package: 'Contrib',
    ...(opts.global ? { global: true } : {}),
    ...(opts.dependencies ? { dependencies: opts.dependencies } : {}),
  };
  return { path: 'module.json', text: `${JSON.stringify(manifest, null, 2)}\n` };
}

/**
 * The part of every generated test that builds a kernel: the module, the
 * required modules and `extra`, with what they depend on, loaded from the
 * codebase the test file is in. No site, no database, no server.
 */
export function kernelHelper(n: ScaffoldNames, imports: readonly string[]): string {
  return `import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kernel } from '${UP}core/kernel/kernel.js';
import { orderModules, withDependencies } from '${UP}core/modules/graph.js';
import { Codebase } from '${UP}core/site/codebase.js';
${imports.join('\n')}

/** The codebase root, four levels above this folder. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** A kernel of ${n.name}, the required modules and \`extra\`, with their dependencies: no site, no database. */
async function kernelWith(...extra: string[]): Promise<Kernel> {
  const codebase = new Codebase(ROOT);
  const catalog = codebase.modules();
  const required = [...catalog.values()].filter((m) => m.manifest.required && m.manifest.type === 'module').map((m) => m.manifest.name);
  return Kernel.create(await codebase.load(catalog, orderModules(catalog, withDependencies(catalog, ['${n.name}', ...required, ...extra]))));
}
`;
}

/** A plain module: one hook implementation, the command \`NAME-hello\`. */
export function plainFiles(n: ScaffoldNames): ScaffoldFile[] {
  const index = `import { defineModule } from '${UP}core/modules/definition.js';
import { helloCommand } from './hello.js';

/** ${n.label}: say what the module does. Each hook it implements is one \`api.on\` below. */
export default defineModule({
  register(api) {
    api.on('cli.commands', (add) => add(helloCommand));
  },
});
`;
  const hello = `import { defineCommand } from '${UP}core/cli/command.js';

/** The greeting of \`aegir ${n.dashed}-hello\`: a plain function, so that a test needs no command line. */
export function greeting(who: string): string {
  return \`Hello, \${who}, from ${n.name}.\`;
}

/** \`aegir ${n.dashed}-hello [who]\`: greets someone (replace it with the module's own command). */
export const helloCommand = defineCommand({
  name: '${n.dashed}-hello',
  description: 'Greet someone: the example command of ${n.name}.',
  arguments: [{ name: 'who', description: 'Who to greet (default: world)' }],
  bootstrap: 'root',
  examples: ['aegir ${n.dashed}-hello Ada'],
  async run(ctx) {
    const text = greeting(typeof ctx.args.who === 'string' ? ctx.args.who : 'world');
    return { data: { greeting: text }, text };
  },
});
`;
  const test = `/** ${n.name}: its command is collected from a kernel with the module, and greets. */
${kernelHelper(n, [
  `import type { CommandContext } from '${UP}core/cli/command.js';`,
  `import { commandRegistry } from '${UP}core/cli/registry.js';`,
])}
describe('${n.name}', () => {
  it('adds the command ${n.dashed}-hello, which greets who it is given', async () => {
    const command = commandRegistry(await kernelWith()).get('${n.dashed}-hello');
    expect(command?.module).to.equal('${n.name}');
    // The command reads only its arguments: the rest of the context is not needed here.
    const result = await command!.definition.run({ args: { who: 'Ada' }, options: {} } as unknown as CommandContext);
    expect(result?.text).to.equal('Hello, Ada, from ${n.name}.');
  });
});
`;
  return [manifestFile(n), { path: 'index.ts', text: index }, { path: 'hello.ts', text: hello }, { path: `${n.name}.test.ts`, text: test }];
}
