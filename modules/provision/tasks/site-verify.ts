import { AegirError } from '../../../core/errors/aegir-error.js';
import { defineTask } from '../runner/definition.js';
import type { WeightedStep } from '../runner/step.js';
import { parseSettings } from '../../../core/settings/settings.js';
import { writeAlias } from './alias.js';
import { checkServed } from './checks.js';
import { isServed, serveSite } from './site-delete.js';
import type { ModuleReport } from '../../system/module-report.js';
import { modulesStep, siteDbSecret } from './site-install.js';
import { service, siteClaims, siteDirOf, type SiteTaskContext } from './site-context.js';

/**
 * The steps of a site's provision-verify: the site must be installed on
 * its platform; its app process running, its virtual host and alias
 * written again from its context, and the answer checked (the site, or
 * the disabled page); then its enabled modules listed with their versions
 * for the front end (siteModules). A verify that fails takes back the virtual host it
 * wrote where there was none. Run as a task, so that it waits for no other
 * task on the site and first undoes one that was interrupted.
 */
export const verifySteps: readonly WeightedStep<SiteTaskContext>[] = [
  {
    weight: 5,
    step: {
      name: 'check',
      title: 'Check that the site is installed on its platform',
      async run(ctx) {
        if (!(await ctx.appExec.exists(`${siteDirOf(ctx)}/settings.json`))) {
          throw new AegirError('ERR_SITE_NOT_INSTALLED', { site: ctx.site.name, uri: `${ctx.site.name} (aegir @${ctx.site.name} provision-install)` });
        }
      },
    },
  },
  {
    weight: 7,
    step: {
      name: 'database',
      title: 'Record the site\'s database if the back end does not know it (a site installed elsewhere, imported)',
      async run(ctx) {
        if (ctx.secrets.get(siteDbSecret(ctx.site.name))) return;
        const file = `${siteDirOf(ctx)}/settings.json`;
        const { database: db } = parseSettings(JSON.parse((await ctx.appExec.readFile(file)).toString('utf8')), file);
        if (db.driver !== 'mysql') return;
        ctx.logger.redact(db.password);
        const record = { driver: 'mysql' as const, host: db.host, port: db.port, database: db.database, user: db.user, password: db.password };
        const { impl, env } = service(ctx, ctx.dbServer, 'db');
        if (impl.dedicated && !(await impl.dedicated(env, record))) {
          ctx.logger.warning(`The site's database user ${db.user} may use other databases too: the back end records no database for the site, so its delete will leave ${db.database} and ${db.user} in place.`);
          return;
        }
        // Noted first, so that an undo (even after a crash) knows the secret is this task's.
        ctx.notes.set('verify.db-recorded', true);
        // What delete, migrate and restore need to drop or move the database later.
        ctx.secrets.set(siteDbSecret(ctx.site.name), JSON.stringify(record));
        ctx.logger.notice(`Recorded the site's database ${db.database} on ${db.host}:${db.port}.`);
      },
      undo: async (ctx) => ctx.notes.get<boolean>('verify.db-recorded') === true && ctx.secrets.delete(siteDbSecret(ctx.site.name)),
    },
  },
  {
    weight: 10,
    step: {
      name: 'serve',
      title: 'Start the platform\'s app and write the site\'s virtual host',
      async run(ctx) {
        ctx.notes.set('verify.served', await isServed(ctx));
        await serveSite(ctx);
      },
      async undo(ctx) {
        // A virtual host that was there is rewritten from the same context: only a new one goes.
        if (ctx.notes.get<boolean>('verify.served') !== false) return false;
        const { impl, env } = service(ctx, ctx.appServer, 'http');
        return impl.removeSite(env, ctx.site);
      },
    },
  },
  {
    weight: 15,
    step: { name: 'alias', title: 'Write the site\'s command-line alias', run: async (ctx) => { writeAlias(ctx); } },
  },
  {
    weight: 20,
    step: { name: 'served', title: 'Check that the site answers', run: (ctx) => checkServed(ctx, ctx.site.enabled ? 200 : 503) },
  },
  { weight: 25, step: modulesStep },
];

/** provision-verify of a site. */
export const siteVerifyTask = defineTask({
  name: 'verify',
  on: 'site',
  command: 'provision-verify',
  description: 'A site: check it is installed, write its virtual host and alias again, check it is served, list its enabled modules with their versions.',
  steps: verifySteps,
  claims: siteClaims,
  refusals: ['ERR_SITE_NOT_INSTALLED'],
  result(ctx) {
    ctx.logger.success(`@${ctx.site.name} verified.`);
    const modules = ctx.state.get('modules') as ModuleReport[] | undefined;
    return { data: { site: ctx.site.name, served: 'yes', ...(modules ? { modules: modules as never } : {}) } };
  },
});
