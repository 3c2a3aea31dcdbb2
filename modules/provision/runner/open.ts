import type { Kernel } from '../../../core/kernel/kernel.js';
import type { Logger } from '../../../core/logger/logger.js';
import { ContextStore } from '../context/store.js';
import type { ServerContext } from '../context/types.js';
import { executorFor } from '../executor/pool.js';
import type { Executor } from '../executor/types.js';
import { Secrets } from '../service/secrets.js';
import { TaskNotes } from './notes.js';
import type { SiteTaskContext } from '../tasks/site-context.js';

/** Makes the executor of a server (local, or over SSH). */
export type ExecutorFactory = (server: ServerContext) => Executor | Promise<Executor>;

/** The executors of the back end: local for localhost, over SSH (host key pinned) for other servers. */
export function executors(home: string): ExecutorFactory {
  return (server) => executorFor(server, home);
}

/** What opening a site task needs. */
export interface OpenSiteTask {
  readonly kernel: Kernel;
  readonly home: string;
  readonly site: string;
  readonly logger: Logger;
  readonly aegirBin: string;
  readonly executors?: ExecutorFactory;
  readonly options?: Readonly<Record<string, string | number | boolean | undefined>>;
}

/** Load a site's contexts (site, platform, servers) and executors for a task. */
export async function openSiteTask(o: OpenSiteTask): Promise<SiteTaskContext> {
  const contexts = new ContextStore(o.home);
  const site = contexts.get(o.site, 'site');
  const platform = contexts.get(site.platform, 'platform');
  const appServer = contexts.get(platform.server, 'server');
  const dbServer = contexts.get(site.dbServer, 'server');
  const make = o.executors ?? executors(o.home);
  const appExec = await make(appServer);
  const dbExec = dbServer.name === appServer.name ? appExec : await make(dbServer);
  return {
    home: o.home, kernel: o.kernel, contexts, secrets: new Secrets(o.home), logger: o.logger,
    site, platform, appServer, dbServer, appExec, dbExec, state: new Map(), notes: new TaskNotes(), aegirBin: o.aegirBin, options: o.options ?? {},
  };
}
