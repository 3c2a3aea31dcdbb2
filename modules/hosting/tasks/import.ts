import type { TaskEndEvent } from '../hooks.js';
import { queueInTransaction } from '../objects/auto-queue.js';
import { offeredIn } from './offered.js';
import type { TaskTypeDefinition } from './types.js';

/** Take in the sites installed in a platform's folders (sites made before the hostmaster, or by hand). */
export const importTaskType: TaskTypeDefinition = {
  name: 'import', on: 'platform', roles: ['manager'], label: 'Import sites', description: 'Give each site installed in the platform\'s folders a node, then verify it.',
  command: 'provision-import', permission: 'create import task', offered: offeredIn('verified'),
};

/** One site of the back end's import report. */
interface Reported { readonly domain: string; readonly profile: string; readonly dbServer: string }

/** What an import did with each site the back end reported. */
export interface ImportOutcome {
  readonly imported: readonly { domain: string; nid: number }[];
  readonly skipped: readonly { domain: string; problem: string }[];
}

/**
 * After an import: a site node for each reported site that no site node
 * has as its domain or alias (status installed, on this platform, its db
 * server the server node of the context the back end named), each with a
 * verify queued in the same transaction (the verify writes its context,
 * virtual host and alias). What was made and what was skipped, and why,
 * goes to the task's log and its result (`frontEnd.import`).
 */
export async function importSites(e: TaskEndEvent): Promise<ImportOutcome | undefined> {
  if (e.object.kind !== 'platform' || e.task.taskType !== 'import') return undefined;
  const reported = ((e.output ?? {}) as { sites?: Reported[] }).sites ?? [];
  const imported: { domain: string; nid: number }[] = [];
  const skipped: { domain: string; problem: string }[] = [];
  for (const s of reported) {
    const domain = s.domain.toLowerCase();
    await e.site.db.transaction(async (trx) => {
      if (await trx('hosting_domain').where({ domain }).first('site_nid')) { skipped.push({ domain, problem: 'a site node has this domain or alias already' }); return; }
      const server = (await trx('hosting_server').where({ context: s.dbServer }).first('nid')) as { nid: number } | undefined;
      if (!server) { skipped.push({ domain, problem: `its database is on @${s.dbServer}, which has no server node` }); return; }
      const now = Date.now();
      const fields = { aliases: '', redirection: false, platform: e.object.nid, db_server: Number(server.nid), profile: s.profile, client: null };
      const ids = (await trx('node').insert({ type: 'site', title: domain, uid: e.task.uid, status: 1, promote: 0, sticky: 0, created: now, changed: now, data: JSON.stringify(fields) })) as number[];
      const nid = Number(ids[0]);
      await trx('hosting_site').insert({ nid, domain, platform_nid: e.object.nid, db_server_nid: Number(server.nid), client_nid: null, profile: s.profile, redirection: 0, status: 'installed', last_task_nid: e.task.nid });
      await trx('hosting_domain').insert({ domain, site_nid: nid, alias: 0 });
      await queueInTransaction(trx, { type: 'verify', object: { nid }, uid: e.task.uid });
      imported.push({ domain, nid });
    });
  }
  for (const i of imported) await e.log('info', `Imported ${i.domain} (node ${i.nid}); its verify is queued.`);
  for (const s of skipped) await e.log('warning', `Skipped ${s.domain}: ${s.problem}.`);
  e.report('import', { imported, skipped });
  return { imported, skipped };
}

/** hosting.task_succeeded of an import. */
export async function recordImport(e: TaskEndEvent): Promise<void> {
  await importSites(e);
}
