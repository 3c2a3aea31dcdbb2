import { join } from 'node:path';
import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Logger } from '../../../core/logger/logger.js';
import { ContextStore } from '../context/store.js';
import type { ServerContext } from '../context/types.js';
import { executorFor } from '../executor/pool.js';
import type { Executor } from '../executor/types.js';
import { Secrets } from '../service/secrets.js';
import type { TaskContextBase, TaskOptions } from './context.js';
import type { TaskContexts, TaskOn } from './definition.js';
import { TaskNotes } from './notes.js';
import { supervised, type TaskSupervisor } from './supervisor.js';

/** Makes the executor of a server (local, or over SSH). */
export type ExecutorFactory = (server: ServerContext) => Executor | Promise<Executor>;

/** The executors of the back end: local for localhost, over SSH (host key pinned) for other servers. */
export function executors(home: string): ExecutorFactory {
  return (server) => executorFor(server, home);
}

/** What opening a task context needs. */
export interface OpenTask {
  readonly kernel: Kernel;
  readonly home: string;
  /** The context the task works on. */
  readonly name: string;
  readonly logger: Logger;
  readonly aegirBin: string;
  readonly supervisor: TaskSupervisor;
  readonly options?: TaskOptions;
  readonly executors?: ExecutorFactory;
}

/** The parts every task context has, with executors supervised for this run and made once per server. */
function base(o: OpenTask, contexts: ContextStore): TaskContextBase {
  const make = o.executors ?? executors(o.home);
  const made = new Map<string, Promise<Executor>>();
  const notes = new TaskNotes();
  const b: TaskContextBase = {
    home: o.home, kernel: o.kernel, contexts, secrets: new Secrets(o.home), logger: o.logger, aegirBin: o.aegirBin,
    state: new Map(), notes, options: o.options ?? {},
    async workFolder(server) {
      const exec = await b.executorFor(server);
      const base = exec.local ? join(o.home, 'work') : '/tmp';
      if (exec.local) await exec.mkdir(base, 0o700);
      const path = (await exec.run(['mktemp', '-d', `${base}/aegir-task-XXXXXXXX`], { timeoutMs: 30_000 })).stdout.trim();
      notes.set(WORK, [...workFolders(notes), { server: server.name, path }]);
      return path;
    },
    async removeWorkFolders() {
      for (const w of workFolders(notes)) {
        const server = contexts.find(w.server);
        if (server?.type === 'server') await (await b.executorFor(server)).remove(w.path);
      }
      if (workFolders(notes).length) notes.set(WORK, []);
    },
    executorFor(server) {
      let e = made.get(server.name);
      if (!e) {
        e = Promise.resolve(make(server)).then((x) => supervised(x, o.supervisor));
        made.set(server.name, e);
      }
      return e;
    },
    async close() {
      const all = await Promise.allSettled(made.values());
      made.clear();
      await Promise.all(all.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    },
  };
  return b;
}

/** The note that lists a task's work folders. */
const WORK = 'task.work';

function workFolders(notes: TaskNotes): { server: string; path: string }[] {
  return notes.get<{ server: string; path: string }[]>(WORK) ?? [];
}

/** Open the task context of a site: its contexts (site, platform, servers) and executors. */
export async function openSiteTask(o: OpenTask): Promise<TaskContexts['site']> {
  const contexts = new ContextStore(o.home);
  const site = contexts.get(o.name, 'site');
  const platform = contexts.get(site.platform, 'platform');
  const appServer = contexts.get(platform.server, 'server');
  const dbServer = contexts.get(site.dbServer, 'server');
  const b = base(o, contexts);
  return { ...b, site, platform, appServer, dbServer, appExec: await b.executorFor(appServer), dbExec: await b.executorFor(dbServer) };
}

/** Open the task context of a platform. */
export async function openPlatformTask(o: OpenTask): Promise<TaskContexts['platform']> {
  const contexts = new ContextStore(o.home);
  const platform = contexts.get(o.name, 'platform');
  const server = contexts.get(platform.server, 'server');
  const b = base(o, contexts);
  return { ...b, platform, server, exec: await b.executorFor(server) };
}

/** Open the task context of a server. */
export async function openServerTask(o: OpenTask): Promise<TaskContexts['server']> {
  const contexts = new ContextStore(o.home);
  const server = contexts.get(o.name, 'server');
  const b = base(o, contexts);
  return { ...b, server, exec: await b.executorFor(server) };
}

/** Open the task context of a context of type `on`. */
export function openTask<T extends TaskOn>(on: T, o: OpenTask): Promise<TaskContexts[T]> {
  const open = { site: openSiteTask, platform: openPlatformTask, server: openServerTask }[on];
  return open(o) as Promise<TaskContexts[T]>;
}
