import { AegirError } from '../../../core/errors/aegir-error.js';
import { readModuleReports } from '../../system/module-report.js';
import { readPlatformReport, recordPackages, recordSitePackages } from '../objects/package-node.js';
import type { TaskEndEvent } from '../hooks.js';

/**
 * What the hosting module itself records when a task ended well: a
 * server's or platform's verified state (and a platform's packages), a
 * site's status through install, disable, enable and delete, its verify
 * time, a backup made (by a backup or any task that reports one) or removed (the sub-modules record their own tasks:
 * a clone's node, a migrated site's new place, a cron run).
 */
export async function recordSuccess(e: TaskEndEvent): Promise<void> {
  const db = e.site.db;
  const now = Date.now();
  const { task, object } = e;
  // A context the back end removed (a deleted site or platform, a site moved to a new name) must be written again if it comes back.
  if (task.taskType === 'delete') await db('hosting_context').where({ name: object.context }).delete();
  const out = (e.output ?? {}) as Record<string, unknown>;
  if (object.kind === 'server' && task.taskType === 'verify') await db('hosting_server').where({ nid: object.nid }).update({ status: 'verified', verified: now });
  if (object.kind === 'platform') {
    if (task.taskType === 'verify') {
      // The back end's report is input: checked whole before any of it is written.
      const read = readPlatformReport(out);
      if ('problem' in read) throw new AegirError('ERR_BACKEND_REPORT_INVALID', { task: `${task.taskType} of ${object.title}`, problem: read.problem });
      const { report } = read;
      await db.transaction(async (trx) => {
        await trx('hosting_platform').where({ nid: object.nid }).update({
          status: 'verified', verified: now, core: report.core ?? null, version: report.version ?? null, version_origin: report.versionOrigin ?? null,
        });
        await recordPackages(trx, object.nid, report, task.uid);
      });
    }
    if (task.taskType === 'delete') {
      await db('hosting_platform').where({ nid: object.nid }).update({ status: 'deleted' });
      await db('hosting_package_instance').where({ platform_nid: object.nid }).delete();
    }
  }
  if (object.kind === 'site') {
    const status: Record<string, string> = { install: 'installed', disable: 'disabled', enable: 'installed', delete: 'deleted' };
    const update: Record<string, unknown> = { last_task_nid: task.nid };
    if (status[task.taskType]) update.status = status[task.taskType];
    if (task.taskType === 'verify' || task.taskType === 'install') update.verified = now;
    await db('hosting_site').where({ nid: object.nid }).update(update);
    // A backup task reports its archive; any other site task that made one on the way (a contrib module's) reports it as `backup`.
    const made = (task.taskType === 'backup' ? out : out.backup) as { file?: unknown; bytes?: unknown; description?: unknown } | undefined;
    if (made && typeof made.file === 'string') {
      const description = String(task.args.description ?? made.description ?? '').slice(0, 255);
      await db('hosting_backup').insert({ site_nid: object.nid, file: made.file, bytes: Number(made.bytes ?? 0), description, created: now, task_nid: task.nid });
    }
    if (task.taskType === 'backup-delete' && typeof out.removed === 'string') await db('hosting_backup').where({ site_nid: object.nid, file: out.removed }).delete();
    if (task.taskType === 'delete') await db('hosting_site_package').where({ site_nid: object.nid }).delete();
  }
}

/**
 * The modules and profile a site has enabled, with their versions, as its
 * verify or install listed them (what a migrate compares with its target);
 * a report without them (the back end could not list them, and said so in
 * the log) keeps what was known. A list that is not valid is refused whole
 * (ERR_BACKEND_REPORT_INVALID, in the task's log). Its own reaction, after
 * the site's status is recorded, so that a bad list costs nothing else.
 */
export async function recordSiteModules(e: TaskEndEvent): Promise<void> {
  const { task, object } = e;
  if (object.kind !== 'site' || (task.taskType !== 'verify' && task.taskType !== 'install')) return;
  const out = (e.output ?? {}) as Record<string, unknown>;
  if (out.modules === undefined) return;
  const read = readModuleReports(out.modules);
  if ('problem' in read) throw new AegirError('ERR_BACKEND_REPORT_INVALID', { task: `${task.taskType} of ${object.title}`, problem: `modules: ${read.problem}` });
  await e.site.db.transaction((trx) => recordSitePackages(trx, object.nid, read.modules, task.uid));
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
