import { isAegirError, describe } from '../../../core/errors/aegir-error.js';
import { parseSettings } from '../../../core/settings/settings.js';
import { isHostName } from '../../../core/settings/uri.js';
import type { ServerContext } from '../context/types.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { platformCli, type PlatformInfo, type PlatformTaskContext } from './platform-context.js';

/** A site folder of the platform the front end may take in: its domain, profile and the server of its database. */
export interface ImportableSite {
  readonly domain: string;
  readonly profile: string;
  /** Context name of the server whose db service holds its database. */
  readonly dbServer: string;
  readonly driver: 'sqlite' | 'mysql';
}

/** What provision-import of a platform reports. */
export interface ImportReport {
  readonly platform: string;
  readonly sites: readonly ImportableSite[];
  /** Folders it could not take in, each with the reason. */
  readonly skipped: readonly { readonly folder: string; readonly problem: string }[];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);
const sameHost = (a: string, b: string): boolean => a === b || (LOOPBACK.has(a) && LOOPBACK.has(b));

/** Where a server's MySQL/MariaDB service listens (its own settings, else the server's host). */
function mysqlAddress(s: ServerContext): { host: string; port: number } | undefined {
  const db = s.services.db;
  if (db?.type !== 'mysql') return undefined;
  return { host: typeof db.host === 'string' ? db.host : s.host === 'localhost' ? '127.0.0.1' : s.host, port: typeof db.port === 'number' ? db.port : 3306 };
}

/** The server context whose db service holds a site's database, or why there is none. */
function dbServerOf(ctx: PlatformTaskContext, db: ReturnType<typeof parseSettings>['database']): { server?: string; problem?: string } {
  if (db.driver === 'sqlite') {
    return ctx.server.services.db?.type === 'sqlite' ? { server: ctx.server.name } : { problem: `its database is SQLite, but @${ctx.server.name} has no sqlite db service` };
  }
  const match = ctx.contexts.list('server').find((s) => {
    const a = mysqlAddress(s);
    return a && a.port === db.port && sameHost(a.host, db.host);
  });
  return match ? { server: match.name } : { problem: `no server has a MySQL/MariaDB service at ${db.host}:${db.port}, where its database is: add that server first` };
}

/**
 * The one step of provision-import: read each site folder of the platform
 * (its settings and, through the platform's own command line, its install
 * profile) and say which server holds its database. It changes nothing:
 * the front end makes the site nodes and verifies them, which writes
 * their contexts, virtual hosts and aliases.
 */
export const importSteps: readonly WeightedStep<PlatformTaskContext>[] = [{
  weight: 10,
  step: {
    name: 'read',
    title: 'Read the platform\'s site folders',
    async run(ctx) {
      const info = JSON.parse((await platformCli(ctx, ['platform-info', '--format=json', '-q'])).stdout) as PlatformInfo;
      const sites: ImportableSite[] = [];
      const skipped: { folder: string; problem: string }[] = [];
      for (const folder of info.sites) {
        const skip = (problem: string): void => { skipped.push({ folder, problem }); ctx.logger.warning(`sites/${folder}: ${problem}.`); };
        if (!isHostName(folder)) { skip('its folder name is no domain name'); continue; }
        const known = ctx.contexts.find(folder);
        if (known && (known.type !== 'site' || known.platform !== ctx.platform.name)) { skip(`the back end knows @${folder} as ${known.type === 'site' ? `a site of @${known.platform}` : `a ${known.type}`}`); continue; }
        try {
          const settings = parseSettings(JSON.parse((await ctx.exec.readFile(`${ctx.platform.root}/sites/${folder}/settings.json`)).toString('utf8')), `sites/${folder}/settings.json`);
          const where = known?.type === 'site' ? { server: known.dbServer } : dbServerOf(ctx, settings.database);
          if (!where.server) { skip(where.problem!); continue; }
          const status = JSON.parse((await platformCli(ctx, [`--uri=${folder}`, 'status', '--format=json', '-q'])).stdout) as { installed?: boolean | null; profile?: string | null };
          if (status.installed !== true || !status.profile) { skip('it is not installed (its database does not answer, or holds no site)'); continue; }
          sites.push({ domain: folder, profile: status.profile, dbServer: where.server, driver: settings.database.driver });
          ctx.logger.info(`sites/${folder}: profile ${status.profile}, database on @${where.server}.`);
        } catch (e) {
          skip(isAegirError(e) ? e.message : describe(e));
        }
      }
      ctx.state.set('import', { platform: ctx.platform.name, sites, skipped } satisfies ImportReport);
    },
  },
}];

/** provision-import of a platform. */
export const platformImportTask = defineTask({
  name: 'platform-import',
  on: 'platform',
  command: 'provision-import',
  description: 'A platform: report the sites installed in its folders (domain, profile, the server of the database) for the front end to take in; changes nothing.',
  steps: importSteps,
  result(ctx) {
    const report = ctx.state.get('import') as ImportReport;
    ctx.logger.success(`@${ctx.platform.name}: ${report.sites.length} site(s) to import, ${report.skipped.length} skipped.`);
    return { data: report as never };
  },
});
