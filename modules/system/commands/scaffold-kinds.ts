/**
 * Skeletons of `aegir module-create` that plug into other modules: a
 * provision service (`--service=http|db|app`), a provision task with its
 * hosting task type (`--task`), a node type (`--node-type`). Each comes
 * with a test that builds a kernel with the module and checks that its
 * part is collected.
 */
import { kernelHelper, manifestFile, UP, type ScaffoldFile, type ScaffoldNames } from './scaffold-templates.js';

/** The service kinds a skeleton can provide. */
export const SERVICE_KINDS = ['http', 'db', 'app'] as const;
/** One of SERVICE_KINDS. */
export type ServiceKind = (typeof SERVICE_KINDS)[number];

const PRODUCT_HTTP = (n: ScaffoldNames): string => `import { join } from 'node:path';
import { webServerService, type HttpService, type Upstream, type WebServerDriver, type WebSettings } from '${UP}modules/provision/api.js';

const main = (s: WebSettings): string => join(s.confDir, '${n.name}.conf');
const upstreamOf = (u: Upstream): string => ('socket' in u ? \`unix:\${u.socket}\` : \`\${u.host}:\${u.port}\`);

/**
 * How the web server of ${n.name} is driven. Everything it gets is checked
 * already (domains, paths, ports). Replace each TODO with the server's own
 * syntax and commands; sites/all/modules/caddy is a complete example.
 */
const driver: WebServerDriver = {
  type: '${n.name}',
  product: '${n.label}',
  install: 'apt-get install --no-install-recommends TODO-package',
  defaults: { binary: '/usr/sbin/TODO-binary', pidName: '${n.name}.pid' },
  minVersion: [1, 0],
  versionCommand: (s) => [s.binary, '-v'],
  parseVersion: (out) => /(\\d+\\.\\d+(?:\\.\\d+)?)/.exec(out)?.[1],
  mainConfigFile: main,
  folders: () => [],
  // TODO: listen on s.address:s.port, include every file of join(s.confDir, 'vhost.d'), log to s.logDir, pid file s.pidFile.
  mainConfig: (s) => \`# ${n.name} main config (TODO): listen \${s.address}:\${s.port}; include \${join(s.confDir, 'vhost.d')}/*\\n\`,
  // TODO: the site's names to the upstream; a disabled site (site.enabled false) answers 503 with DISABLED_PAGE.
  vhost: (s, site, upstream) => [
    \`# \${site.domain} (TODO): names \${[site.domain, ...site.aliases].join(' ')} on port \${s.port}\`,
    site.enabled ? \`# proxy to \${upstreamOf(upstream)}\` : '# disabled: 503',
  ].join('\\n') + '\\n',
  testCommand: (s) => [s.binary, '-t', '-c', main(s)],
  reloadCommand: (s) => [s.binary, '-s', 'reload', '-c', main(s)],
  startCommand: (s) => [s.binary, '-c', main(s)],
  retired: () => true,
};

/** The \`${n.name}\` http service (\`http: ${n.name}\` on a server). */
export const ${n.camel}Service: HttpService = webServerService(driver);
`;

/** Methods of DbService and AppService with what each must do, for the "not implemented" errors. */
const METHODS: Record<'db' | 'app', readonly (readonly [string, string, string])[]> = {
  db: [
    ['async verify(env: ServiceEnv): Promise<string>', 'verify', 'check the server (reachable, admin rights, version) and return one line for the report'],
    ['plan(env: ServiceEnv, site: SiteProvisionContext, appHost: string): SiteDatabase', 'plan', 'return the database settings of a new site (a fresh random password)'],
    ['async create(env: ServiceEnv, db: SiteDatabase, appHost: string): Promise<void>', 'create', 'create the database and its user with grants'],
    ['async drop(env: ServiceEnv, db: SiteDatabase, appHost: string): Promise<boolean>', 'drop', 'drop the database and its user if they exist, and say whether either did'],
    ['async exists(env: ServiceEnv, db: SiteDatabase): Promise<boolean>', 'exists', 'say whether the database exists'],
  ],
  app: [
    ['async verify(env: ServiceEnv): Promise<string>', 'verify', 'check the server and return one line for the report'],
    ['async ensure(env: ServiceEnv, platform: PlatformContext): Promise<Upstream>', 'ensure', 'start (or restart) the platform\'s "aegir serve" and return where it listens'],
    ['async stop(env: ServiceEnv, platform: PlatformContext): Promise<boolean>', 'stop', 'stop the platform\'s app process if it runs, and say whether it did'],
  ],
};

function codedService(n: ScaffoldNames, kind: 'db' | 'app'): string {
  const types = kind === 'db' ? 'DbService, ServiceEnv, SiteDatabase, SiteProvisionContext' : 'AppService, PlatformContext, ServiceEnv, Upstream';
  const iface = kind === 'db' ? 'DbService' : 'AppService';
  const methods = METHODS[kind].map(([sig, name, todo]) => `  ${sig} {\n    throw todo('${name}', '${todo.replace(/'/g, "\\'")}');\n  },`).join('\n');
  return `import { AegirError } from '${UP}core/errors/aegir-error.js';
import type { ${types} } from '${UP}modules/provision/api.js';

/** A method still to write: a coded error that says what it must do. */
function todo(method: string, what: string): AegirError {
  return new AegirError('ERR_NOT_IMPLEMENTED', { what: \`${kind} service "${n.name}": \${method}\`, todo: what, file: 'sites/all/modules/${n.name}/service.ts' });
}

/**
 * The \`${n.name}\` ${kind} service (\`${kind}: ${n.name}\` on a server). Each
 * method throws until it is written; the interface ${iface} in
 * modules/provision/service/types.ts says what each must do.
 */
export const ${n.camel}Service: ${iface} = {
  kind: '${kind}',
  type: '${n.name}',
${methods}
};
`;
}

/** A global module that adds a provision service of `kind`. */
export function serviceFiles(n: ScaffoldNames, kind: ServiceKind): ScaffoldFile[] {
  const index = `import { defineModule } from '${UP}core/modules/definition.js';
import type {} from '${UP}modules/provision/hooks.js';
import { ${n.camel}Service } from './service.js';

/** ${n.label}: the \`${n.name}\` ${kind} service a server can run (global: it serves the back end's command line). */
export default defineModule({
  register(api) {
    api.on('provision.services', (add) => add(${n.camel}Service));
  },
});
`;
  const test = `/** ${n.name}: its ${kind} service is collected by 'provision.services'. */
${kernelHelper(n, [`import type {} from '${UP}modules/provision/hooks.js';`])}
describe('${n.name}', () => {
  it('provides the ${kind} service "${n.name}"', async () => {
    const kernel = await kernelWith('provision');
    const mine = kernel.hooks.collect('provision.services').filter((c) => c.module === '${n.name}').map((c) => \`\${c.value.kind}/\${c.value.type}\`);
    expect(mine).to.deep.equal(['${kind}/${n.name}']);
  });
});
`;
  return [
    manifestFile(n, { global: true, dependencies: { provision: '*' } }),
    { path: 'index.ts', text: index },
    { path: 'service.ts', text: kind === 'http' ? PRODUCT_HTTP(n) : codedService(n, kind) },
    { path: `${n.name}.test.ts`, text: test },
  ];
}

/** A global module with a provision site task and the hosting task type that queues it. */
export function taskFiles(n: ScaffoldNames): ScaffoldFile[] {
  const task = `import type { TaskTypeDefinition } from '${UP}modules/hosting/tasks/types.js';
import { defineTask, siteClaims } from '${UP}modules/provision/api.js';

/**
 * provision-${n.dashed}: what the task does to a site (TODO). Steps run in
 * weight order in the task's journal; when one fails, the steps done are
 * undone in reverse, so each undo must be safe after a partial run.
 */
export const ${n.camel}Task = defineTask({
  name: '${n.dashed}',
  on: 'site',
  command: 'provision-${n.dashed}',
  description: 'Do the work of ${n.name} on the site of the @context (TODO: say what).',
  claims: siteClaims,
  steps: [{
    weight: 10,
    step: {
      name: '${n.dashed}',
      title: 'TODO: what the step does',
      async run(ctx) {
        // TODO: the work, through ctx (ctx.site, ctx.platform, platformAegir from the provision api); keep in ctx.notes what undo needs.
        ctx.logger.info(\`${n.name}: nothing done yet on \${ctx.site.name}.\`);
      },
      async undo(ctx) {
        // TODO: take back what run did, even in part; resolve with whether anything changed.
        ctx.logger.info(\`${n.name}: nothing to undo on \${ctx.site.name}.\`);
        return false;
      },
    },
  }],
});

/** The hosting task type that queues provision-${n.dashed} on a site, for those with its permission. */
export const ${n.camel}TaskType: TaskTypeDefinition = {
  name: '${n.dashed}', on: 'site', label: '${n.label}', description: 'TODO: what the task does, for its button.',
  command: 'provision-${n.dashed}', permission: 'create ${n.dashed} task', roles: ['manager'],
};
`;
  const index = `import { defineModule } from '${UP}core/modules/definition.js';
import type {} from '${UP}modules/hosting/hooks.js';
import { taskTypePermissions } from '${UP}modules/hosting/tasks/permissions.js';
import type {} from '${UP}modules/provision/hooks.js';
import type {} from '${UP}modules/user/hooks.js';
import { ${n.camel}Task, ${n.camel}TaskType } from './task.js';

/**
 * ${n.label}: the provision task ${n.dashed} (global: the back end runs it)
 * and its hosting task type with a permission. The hosting hooks are
 * dormant where hosting is not enabled (a plain back end).
 */
export default defineModule({
  register(api) {
    api.on('provision.tasks', (add) => add(${n.camel}Task));
    api.on('hosting.task_types', (add) => add(${n.camel}TaskType));
    api.on('user.permissions', (add) => { for (const p of taskTypePermissions([${n.camel}TaskType])) add(p); });
  },
});
`;
  const test = `/** ${n.name}: its provision task and its hosting task type, with the permission, are collected. */
${kernelHelper(n, [
  `import { taskTypes } from '${UP}modules/hosting/tasks/registry.js';`,
  `import { taskRegistry } from '${UP}modules/provision/api.js';`,
  `import { declaredPermissions } from '${UP}modules/user/permissions.js';`,
])}
describe('${n.name}', () => {
  it('declares the provision task ${n.dashed}, each step with run and undo', async () => {
    const task = taskRegistry(await kernelWith('provision')).tasks.get('${n.dashed}');
    expect(task?.module).to.equal('${n.name}');
    expect(task!.definition.command).to.equal('provision-${n.dashed}');
    for (const { step } of task!.definition.steps) expect(step.undo, step.name).to.be.a('function');
  });

  it('declares the hosting task type ${n.dashed} with its permission', async () => {
    const kernel = await kernelWith('provision', 'hosting');
    const type = taskTypes(kernel).get('site/${n.dashed}');
    expect(type?.module).to.equal('${n.name}');
    expect(declaredPermissions(kernel).find((p) => p.name === type!.permission)?.module).to.equal('${n.name}');
  });
});
`;
  return [
    manifestFile(n, { global: true, dependencies: { provision: '*' } }),
    { path: 'index.ts', text: index }, { path: 'task.ts', text: task }, { path: `${n.name}.test.ts`, text: test },
  ];
}

/** A module with a node type and its validation. */
export function nodeTypeFiles(n: ScaffoldNames): ScaffoldFile[] {
  // Node type names are at most 32 characters; "edit" and "delete" are node pages.
  const type = ['edit', 'delete'].includes(n.name) ? `${n.name}_item` : n.name.slice(0, 32);
  const nodeType = `import type { NodeFieldError, NodeFieldValue, NodeTypeDefinition } from '${UP}modules/node/types.js';

/** The \`${type}\` node type: its fields, typed (TODO: the module's own fields). */
export const ${n.camel}Type: NodeTypeDefinition = {
  type: '${type}', label: '${n.label}', titleLabel: 'Name', description: 'TODO: what a ${n.label} is.',
  fields: {
    code: { type: 'text', label: 'Code', maxLength: 32, required: true, description: 'Lower case letters, digits and "-".' },
  },
};

/** The problems of a ${type} node's fields beyond their form rules, one per field. */
export function check${n.camel[0]!.toUpperCase()}${n.camel.slice(1)}(fields: Readonly<Record<string, NodeFieldValue>>): NodeFieldError[] {
  const out: NodeFieldError[] = [];
  if (!/^[a-z0-9-]+$/.test(String(fields.code ?? ''))) out.push({ field: 'code', message: 'Use lower case letters, digits and "-" only.' });
  return out;
}
`;
  const check = `check${n.camel[0]!.toUpperCase()}${n.camel.slice(1)}`;
  const index = `import { defineModule } from '${UP}core/modules/definition.js';
import type {} from '${UP}modules/node/hooks.js';
import { ${check}, ${n.camel}Type } from './node-type.js';

/** ${n.label}: the \`${type}\` node type and its validation. */
export default defineModule({
  register(api) {
    api.on('node.types', (add) => add(${n.camel}Type));
    api.on('node.validate', (add, { node }) => { if (node.type === '${type}') for (const e of ${check}(node.fields)) add(e); });
  },
});
`;
  const test = `/** ${n.name}: the node type is declared, and bad values are refused. */
${kernelHelper(n, [
  `import type { SiteContext } from '${UP}core/site/context.js';`,
  `import type { Account } from '${UP}core/http/types.js';`,
  `import { nodeTypes } from '${UP}modules/node/registry.js';`,
  `import type { NodeDraft } from '${UP}modules/node/types.js';`,
  `import { checkDraft } from '${UP}modules/node/validate.js';`,
])}
const draft = (code: string): NodeDraft => ({
  nid: undefined, type: '${type}', title: 'One', uid: 1, status: true, promote: false, sticky: false, created: 0, changed: 0, fields: { code },
});

describe('${n.name}', () => {
  it('declares the node type ${type}', async () => {
    expect(nodeTypes(await kernelWith()).get('${type}')?.module).to.equal('${n.name}');
  });

  it('refuses a code that breaks the field rules or the module\\'s check, and takes a good one', async () => {
    const kernel = await kernelWith();
    const type = nodeTypes(kernel).get('${type}')!;
    expect(checkDraft(type, draft('x'.repeat(33))).errors.map((e) => e.field)).to.include('code');
    // The module's check reads the node only: no site or account is needed.
    const problems = (node: NodeDraft): string[] => kernel.hooks.collect('node.validate', { node, site: {} as SiteContext, account: {} as Account })
      .filter((c) => c.module === '${n.name}').map((c) => c.value.field);
    expect(problems(draft('Not OK!'))).to.deep.equal(['code']);
    expect(problems(draft('ok-1'))).to.deep.equal([]);
    expect(checkDraft(type, draft('ok-1')).errors).to.deep.equal([]);
  });
});
`;
  return [
    manifestFile(n, { dependencies: { node: '*' } }),
    { path: 'index.ts', text: index }, { path: 'node-type.ts', text: nodeType }, { path: `${n.name}.test.ts`, text: test },
  ];
}
