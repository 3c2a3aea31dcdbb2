import type { Knex } from 'knex';
import type { TaskEndEvent } from '../hooks.js';

/** The back end's report of a platform verify, as far as the front end keeps it. */
interface PlatformReport {
  readonly core?: string;
  readonly modules?: readonly { name: string; type: string; version: string | null; origin: string }[];
  readonly profiles?: readonly string[];
}

/** Record the modules and profiles a platform verify found, with their versions (replacing what the last verify found). */
async function recordPackages(db: Knex, platformNid: number, report: PlatformReport): Promise<void> {
  await db('hosting_package_instance').where({ platform_nid: platformNid }).delete();
  const found = [
    ...(report.modules ?? []).map((m) => ({ name: m.name, type: m.type === 'profile' ? 'profile' : 'module', version: m.version, origin: m.origin })),
    ...(report.profiles ?? []).filter((p) => !(report.modules ?? []).some((m) => m.name === p)).map((p) => ({ name: p, type: 'profile', version: null, origin: 'profile' })),
  ];
  for (const p of found) {
    let row = (await db('hosting_package').where({ name: p.name, type: p.type }).first('pid')) as { pid: number } | undefined;
    if (!row) {
      await db('hosting_package').insert({ name: p.name, type: p.type, title: p.name });
      row = (await db('hosting_package').where({ name: p.name, type: p.type }).first('pid')) as { pid: number };
    }
    await db('hosting_package_instance').insert({ package_pid: row.pid, platform_nid: platformNid, version: p.version, origin: p.origin });
  }
}

/** A site migrated to a new name: its node's title, its row and its main domain follow (its aliases stay). */
async function renameSite(e: TaskEndEvent, name: string): Promise<void> {
  await e.site.db.transaction(async (trx) => {
    await trx('node').where({ nid: e.object.nid }).update({ title: name, changed: Date.now() });
    await trx('hosting_site').where({ nid: e.object.nid }).update({ domain: name });
    await trx('hosting_domain').where({ site_nid: e.object.nid, alias: 0 }).delete();
    await trx('hosting_domain').insert({ domain: name, site_nid: e.object.nid, alias: 0 });
  });
}

/**
 * The node of a new clone, installed already (the back end made it): the
 * source's profile and client, the platform and db server the task named
 * or the source's, no aliases. Written straight into the tables (no
 * install is queued for it: it exists).
 */
async function addClone(e: TaskEndEvent, name: string): Promise<void> {
  const db = e.site.db;
  const src = (await db('hosting_site').where({ nid: e.object.nid }).first()) as Record<string, unknown>;
  const now = Date.now();
  const platform = e.task.args.platform ? Number(e.task.args.platform) : Number(src.platform_nid);
  const dbServer = e.task.args.db_server ? Number(e.task.args.db_server) : Number(src.db_server_nid);
  await db.transaction(async (trx) => {
    const fields = { aliases: '', redirection: false, platform, db_server: dbServer, profile: String(src.profile), client: src.client_nid === null ? null : Number(src.client_nid) };
    const ids = (await trx('node').insert({ type: 'site', title: name, uid: e.task.uid, status: 1, promote: 0, sticky: 0, created: now, changed: now, data: JSON.stringify(fields) })) as number[];
    const nid = Number(ids[0]);
    await trx('hosting_site').insert({ nid, domain: name, platform_nid: platform, db_server_nid: dbServer, client_nid: src.client_nid ?? null, profile: src.profile, redirection: 0, status: 'installed', verified: now, last_task_nid: e.task.nid });
    await trx('hosting_domain').insert({ domain: name, site_nid: nid, alias: 0 });
  });
}

/**
 * What the hosting module itself records when a task ended well: a
 * server's or platform's verified state (and a platform's packages), a
 * site's status through install, disable, enable and delete, its verify
 * time, a backup made or removed, a migrated site's new place.
 */
export async function recordSuccess(e: TaskEndEvent): Promise<void> {
  const db = e.site.db;
  const now = Date.now();
  const { task, object } = e;
  // A context the back end removed (a deleted site or platform, a site moved to a new name) must be written again if it comes back.
  if (task.taskType === 'delete' || (task.taskType === 'migrate' && task.args.new_name)) await db('hosting_context').where({ name: object.context }).delete();
  const out = (e.output ?? {}) as Record<string, unknown>;
  if (object.kind === 'server' && task.taskType === 'verify') await db('hosting_server').where({ nid: object.nid }).update({ status: 'verified', verified: now });
  if (object.kind === 'platform') {
    if (task.taskType === 'verify') {
      await db.transaction(async (trx) => {
        await trx('hosting_platform').where({ nid: object.nid }).update({ status: 'verified', verified: now, core: typeof out.core === 'string' ? out.core : null });
        await recordPackages(trx, object.nid, out as PlatformReport);
      });
    }
    if (task.taskType === 'delete') await db('hosting_platform').where({ nid: object.nid }).update({ status: 'deleted' });
  }
  if (object.kind === 'site') {
    const status: Record<string, string> = { install: 'installed', disable: 'disabled', enable: 'installed', delete: 'deleted' };
    const update: Record<string, unknown> = { last_task_nid: task.nid };
    if (status[task.taskType]) update.status = status[task.taskType];
    if (task.taskType === 'verify' || task.taskType === 'install') update.verified = now;
    if (task.taskType === 'cron') update.last_cron = now;
    if (task.taskType === 'migrate') {
      if (task.args.platform) update.platform_nid = Number(task.args.platform);
      if (task.args.db_server) update.db_server_nid = Number(task.args.db_server);
    }
    await db('hosting_site').where({ nid: object.nid }).update(update);
    if (task.taskType === 'migrate' && typeof task.args.new_name === 'string' && task.args.new_name) await renameSite(e, String(task.args.new_name));
    if (task.taskType === 'clone' && typeof task.args.new_name === 'string') await addClone(e, String(task.args.new_name));
    if (task.taskType === 'backup' && typeof out.file === 'string') {
      await db('hosting_backup').insert({ site_nid: object.nid, file: out.file, bytes: Number(out.bytes ?? 0), description: String(task.args.description ?? '').slice(0, 255), created: now, task_nid: task.nid });
    }
    if (task.taskType === 'backup-delete' && typeof out.removed === 'string') await db('hosting_backup').where({ site_nid: object.nid, file: out.removed }).delete();
  }
}

/** What the hosting module records when a task failed: the first install or verify of an object that never worked is marked failed. */
export async function recordFailure(e: TaskEndEvent): Promise<void> {
  const db = e.site.db;
  const { task, object } = e;
  if (e.outcome.status === 'cancelled') return;
  if (object.kind === 'site' && task.taskType === 'install') await db('hosting_site').where({ nid: object.nid }).update({ status: 'failed', last_task_nid: task.nid });
  if (object.kind !== 'site' && task.taskType === 'verify') {
    await db(object.kind === 'server' ? 'hosting_server' : 'hosting_platform').where({ nid: object.nid }).whereIn('status', ['new', 'failed']).update({ status: 'failed' });
  }
}
