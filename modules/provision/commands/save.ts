import { existsSync } from 'node:fs';
import { defineCommand, type CommandContext } from '../../../core/cli/command.js';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { ContextStore } from '../context/store.js';
import { platformRootProblem } from '../context/platform-root.js';
import type { PlatformContext, ProvisionContext, SiteProvisionContext } from '../context/types.js';
import { Journal } from '../runner/journal.js';
import { readFetched } from '../tasks/platform-record.js';
import { checkName, parseContext } from '../context/validate.js';
import { adminSecretKey } from '../service/db/mysql.js';
import { Secrets } from '../service/secrets.js';
import { contextName, homeOf } from './common.js';

/** "k=v,k2=v2" into settings; numbers and true/false typed. */
function settings(kind: string, type: string | undefined, list: string | undefined): Record<string, string | number | boolean> | undefined {
  if (!type) return undefined;
  const out: Record<string, string | number | boolean> = { type };
  for (const pair of (list ?? '').split(',').filter(Boolean)) {
    const m = /^([a-z][a-zA-Z0-9]{0,40})=(.*)$/.exec(pair);
    if (!m) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: `${kind}-settings`, command: 'provision-save', problem: `"${pair}" is not key=value` });
    const v = m[2]!;
    out[m[1]!] = /^\d{1,9}$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return out;
}

/** A platform's server must exist, and its root must be a folder only its code is in (see platformRootProblem). */
function checkPlatform(ctx: CommandContext, store: ContextStore, p: PlatformContext): void {
  const server = store.get(p.server, 'server');
  const local = server.host === 'localhost';
  const problem = platformRootProblem(p.root, {
    server: server.name, local, home: homeOf(ctx), codebase: ctx.codebase.root,
    platforms: store.list('platform').filter((o) => o.name !== p.name),
  });
  if (problem) throw new AegirError('ERR_CONTEXT_INVALID', { name: p.name, problem: `its root ${p.root} ${problem}; give a folder of its own, such as ${homeOf(ctx)}/platforms/${p.name.slice('platform_'.length)}` });
  if (p.git && local && existsSync(p.root) && !readFetched(homeOf(ctx), p.name)) {
    ctx.logger.warning(`${p.root} already exists: platform verify uses it as it is (it does not fetch ${p.git.url}), and a platform delete leaves it in place.`);
  }
}

/** A site's domain and aliases must be no other site's domain or alias. */
function checkDomains(store: ContextStore, site: SiteProvisionContext): void {
  const mine = [site.name, ...site.aliases];
  for (const other of store.list('site')) {
    if (other.name === site.name) continue;
    const taken = mine.find((d) => d === other.name || other.aliases.includes(d));
    if (taken) throw new AegirError('ERR_CONTEXT_INVALID', { name: site.name, problem: `${taken} is already ${taken === other.name ? 'the domain' : 'an alias'} of @${other.name}` });
  }
}

/** `aegir provision-save @name --context-type=...`: create or update a context. */
export const provisionSave = defineCommand({
  name: 'provision-save',
  description: 'Create or update a server, platform or site context (validated; written under the Aegir home).',
  bootstrap: 'backend',
  options: {
    'context-type': { type: 'string', description: 'Kind of context', choices: ['server', 'platform', 'site'], required: true },
    host: { type: 'string', description: 'Server: host name (localhost for this machine)' },
    'ssh-port': { type: 'integer', description: 'Server: SSH port', min: 1, max: 65535 },
    'ssh-user': { type: 'string', description: 'Server: SSH user' },
    http: { type: 'string', description: 'Server: http service (builtin, nginx, apache)' },
    'http-settings': { type: 'string', description: 'Server: http settings as k=v,k=v (port, confDir, pidFile, ...)' },
    db: { type: 'string', description: 'Server: db service (sqlite, mysql)' },
    'db-settings': { type: 'string', description: 'Server: db settings as k=v,k=v (host, port, adminUser)' },
    'db-admin-pass': { type: 'string', description: 'Server: password of the db admin account (stored as a 0600 secret)', secret: true, envVar: 'AEGIR_DB_ADMIN_PASS' },
    app: { type: 'string', description: 'Server: app service (builtin, supervisord, systemd)' },
    'app-settings': { type: 'string', description: 'Server: app settings as k=v,k=v (runDir, ...)' },
    server: { type: 'string', description: 'Platform: its server context' },
    'platform-root': { type: 'string', description: 'Platform: absolute path of the codebase (--root is the global option choosing the codebase this command runs in)' },
    'git-url': { type: 'string', description: 'Platform: git repository to build it from' },
    'git-ref': { type: 'string', description: 'Platform: branch, tag or commit' },
    platform: { type: 'string', description: 'Site: its platform context' },
    'db-server': { type: 'string', description: 'Site: the server of its database' },
    profile: { type: 'string', description: 'Site: install profile' },
    aliases: { type: 'string', description: 'Site: other domains, comma-separated' },
    redirection: { type: 'boolean', description: 'Site: aliases redirect to the main domain' },
    disabled: { type: 'boolean', description: 'Site: mark the site disabled' },
  },
  examples: [
    'aegir provision-save @server_master --context-type=server --host=localhost --http=builtin --http-settings=port=8080 --db=sqlite --app=builtin',
    'aegir provision-save @platform_main --context-type=platform --server=@server_master --platform-root=/var/aegir/platforms/main',
    'aegir provision-save @example.com --context-type=site --platform=@platform_main --db-server=@server_master --profile=standard',
  ],
  async run(ctx) {
    const name = contextName(ctx, 'provision-save');
    const o = ctx.options;
    const type = o['context-type'];
    if (checkName(name) !== type) throw new AegirError('ERR_CONTEXT_INVALID', { name, problem: `a ${type} context's name must look like ${type === 'site' ? 'a domain' : `${type}_<name>`}` });
    const strip = (v: string | undefined): string | undefined => v?.replace(/^@/, '');
    const store = new ContextStore(homeOf(ctx));
    const previous = store.find(name);
    let context: ProvisionContext;
    if (type === 'server') {
      const services: Record<string, unknown> = { ...(previous?.type === 'server' ? previous.services : {}) };
      for (const kind of ['http', 'db', 'app'] as const) {
        const s = settings(kind, o[kind], o[`${kind}-settings`]);
        if (s) services[kind] = s;
      }
      const host = o.host ?? (previous?.type === 'server' ? previous.host : 'localhost');
      const ssh = o['ssh-user'] || o['ssh-port'] ? { port: o['ssh-port'] ?? 22, user: o['ssh-user'] ?? 'aegir' } : previous?.type === 'server' ? previous.ssh : undefined;
      context = { type, name, host, ...(ssh ? { ssh } : {}), services } as ProvisionContext;
    } else if (type === 'platform') {
      const prev = previous?.type === 'platform' ? previous : undefined;
      const git = o['git-url'] ? { url: o['git-url'], ref: o['git-ref'] ?? 'main' } : prev?.git;
      context = { type, name, server: strip(o.server) ?? prev?.server, root: o['platform-root'] ?? prev?.root, ...(git ? { git } : {}) } as ProvisionContext;
    } else {
      const prev = previous?.type === 'site' ? previous : undefined;
      context = {
        type, name, platform: strip(o.platform) ?? prev?.platform, dbServer: strip(o['db-server']) ?? prev?.dbServer,
        profile: o.profile ?? prev?.profile ?? 'standard',
        aliases: o.aliases !== undefined ? o.aliases.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean) : (prev?.aliases ?? []),
        redirection: o.redirection || (prev?.redirection ?? false),
        enabled: o.disabled ? false : (prev?.enabled ?? true),
      } as ProvisionContext;
    }
    // Valid on its own first (names, paths, settings), then against the others: referenced contexts exist and are of the right kind.
    const valid = parseContext(context, name);
    if (valid.type === 'platform') checkPlatform(ctx, store, valid);
    if (valid.type === 'site') {
      store.get(valid.platform, 'platform');
      store.get(valid.dbServer, 'server');
      checkDomains(store, valid);
    }
    // The same context again (the front end saves before every task) changes nothing; a change never lands
    // under a running (or interrupted) task that holds the name: it would work on a context changed beneath it.
    const same = previous !== undefined && JSON.stringify(previous) === JSON.stringify(valid);
    const saved = same ? previous : await Journal.whileUnclaimed(homeOf(ctx), name, () => store.save(valid));
    if (type === 'server' && o['db-admin-pass'] !== undefined) new Secrets(homeOf(ctx)).set(adminSecretKey(name), o['db-admin-pass']);
    ctx.logger.success(`${same ? 'Unchanged' : previous ? 'Updated' : 'Created'} context @${name}.`);
    // People read the line above; --format=json and --backend get the context.
    return { data: saved as never, text: '' };
  },
});
