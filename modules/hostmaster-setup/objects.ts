import { join } from 'node:path';
import { AegirError } from '../../core/errors/aegir-error.js';
import type { Codebase } from '../../core/site/codebase.js';
import type { Site } from '../../core/site/site.js';
import { runBackend } from '../drush-bridge/run.js';
import { CONSOLE_ACCOUNT } from '../hosting/commands/common.js';
import { servicesOf } from '../hosting/objects/sync.js';
import { Dispatcher } from '../hosting/queue/dispatcher.js';
import { FINISHED, TaskQueue } from '../hosting/queue/store.js';
import { bridgeRunner } from '../hosting/tasks/bridge-runner.js';
import { serverSave } from '../hosting/tasks/contexts.js';
import { queueTask } from '../hosting/tasks/queue-task.js';
import { saveNode } from '../node/storage.js';
import type { HostmasterAnswers } from './answers.js';
import type { InstallProgress } from './install.js';

/** The provision names of the hostmaster's own objects. */
export const SERVER_CONTEXT = 'server_master';
export const PLATFORM_CONTEXT = 'platform_hostmaster';

/** The hostmaster's server and platform nodes. */
export interface HostmasterObjects {
  readonly server: number;
  readonly platform: number;
}

const settingsText = (s: Readonly<Record<string, string | number>>): string => Object.entries(s).map(([k, v]) => `${k}=${String(v)}`).join(',');

/**
 * This machine's server node (its web server, database and app services
 * as answered) and this codebase's platform node, both marked as the
 * hostmaster's own (dangerous tasks refuse them); saving each queues its
 * verify. A MySQL admin password goes to the back end's secrets first, on
 * standard input, and is stored nowhere in the hostmaster.
 */
export async function makeObjects(site: Site, codebase: Codebase, a: HostmasterAnswers, progress: InstallProgress): Promise<HostmasterObjects> {
  progress.step('Make this machine\'s server and this codebase\'s platform');
  const fields = {
    context: SERVER_CONTEXT, host: 'localhost', ssh_user: '', ssh_port: null,
    // nginx or Apache from its own config folder: nothing else starts it on this machine, so its verify does (start=0 to leave it to systemd).
    http: a.http, http_settings: settingsText({ port: a.httpPort, ...(a.http === 'builtin' ? {} : { start: 1 }), ...a.httpSettings }),
    db: a.db, db_settings: a.db === 'mysql' ? settingsText({ host: a.dbHost, port: a.dbPort, adminUser: a.dbAdminUser }) : '',
    app: 'builtin', app_settings: '',
  };
  if (a.db === 'mysql') {
    const save = serverSave({ context: SERVER_CONTEXT, host: 'localhost', ssh_user: null, ssh_port: null, services: JSON.stringify(servicesOf(fields)) });
    const out = await runBackend({
      aegirBin: join(codebase.root, 'bin', 'aegir'), home: a.home, command: 'provision-save', context: save.name,
      options: { ...save.options, 'db-admin-pass-file': '-', quiet: true }, stdin: a.dbAdminPass, onLog: () => undefined,
    });
    if (out.result?.status !== 'success') throw new AegirError('ERR_SERVICE_FAILED', { service: 'db', server: SERVER_CONTEXT, problem: out.result?.error?.message ?? 'the back end did not take the settings' });
  }
  const server = (await saveNode(site, { type: 'server', title: 'This machine', fields }, { account: CONSOLE_ACCOUNT })).nid;
  await site.db('hosting_server').where({ nid: server }).update({ hostmaster: 1 });
  const platform = (await saveNode(site, { type: 'platform', title: 'Hostmaster', fields: { context: PLATFORM_CONTEXT, server, root: codebase.root, git_url: '', git_ref: '', locked: false } }, { account: CONSOLE_ACCOUNT })).nid;
  await site.db('hosting_platform').where({ nid: platform }).update({ hostmaster: 1 });
  return { server, platform };
}

/** Wait until the tasks end; the first that did not succeed is ERR_HOSTMASTER_TASK_FAILED with the end of its log. */
async function settle(site: Site, tasks: readonly number[]): Promise<void> {
  const queue = new TaskQueue(site.db);
  for (;;) {
    const rows = await Promise.all(tasks.map((t) => queue.get(t)));
    const bad = rows.find((r) => r && FINISHED.includes(r.status) && r.status !== 'success' && r.status !== 'warning');
    if (bad) {
      const lines = (await site.db('hosting_task_log').where({ rid: bad.runId }).orderBy('lid', 'desc').limit(6)) as { message: string }[];
      throw new AegirError('ERR_HOSTMASTER_TASK_FAILED', { task: `${bad.taskType} of node ${bad.objectNid}`, log: lines.reverse().map((l) => l.message).join(' / ') });
    }
    if (rows.every((r) => r && FINISHED.includes(r.status))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Run the queue in this process until the hostmaster stands: the server's
 * and the platform's verify (the web server and the platform's app process
 * start), then the platform's import, which gives the hostmaster site
 * (installed in sites/ of this codebase) its node and verifies it (its
 * context, route and alias). Each task's log lines are passed on.
 */
export async function runQueue(site: Site, codebase: Codebase, a: HostmasterAnswers, progress: InstallProgress, o: HostmasterObjects): Promise<void> {
  const d = new Dispatcher({ db: site.db, runner: bridgeRunner({ site, aegirBin: join(codebase.root, 'bin', 'aegir'), home: a.home }), limits: { global: 2, perServer: 2 }, logger: site.logger, pollMs: 50 });
  await d.start();
  try {
    const first = (await site.db('hosting_task').whereIn('object_nid', [o.server, o.platform]).select('nid')) as { nid: number }[];
    progress.step('Verify the server (start its web server) and the platform (start its app process)');
    await settle(site, first.map((t) => Number(t.nid)));
    progress.step('Import the hostmaster site from the platform and verify it');
    const imported = await queueTask(site, { type: 'import', object: o.platform, account: CONSOLE_ACCOUNT });
    await settle(site, [imported.node.nid]);
    const node = (await site.db('hosting_site').where({ domain: a.uri }).first('nid')) as { nid: number } | undefined;
    if (!node) throw new AegirError('ERR_HOSTMASTER_TASK_FAILED', { task: 'import', log: `the platform's import did not find sites/${a.uri}` });
    await site.db('hosting_site').where({ nid: node.nid }).update({ hostmaster: 1 });
    const verifies = (await site.db('hosting_task').where({ task_type: 'verify', object_kind: 'site' }).select('nid')) as { nid: number }[];
    await settle(site, verifies.map((t) => Number(t.nid)));
  } finally {
    await d.stop();
  }
}
