import type { Account } from '../../../core/http/types.js';
import { enableModules } from '../../../core/modules/lifecycle.js';
import type { Site } from '../../../core/site/site.js';
import type { NodeInput } from '../../../modules/node/types.js';
import { probeLog } from '../../fixtures/modules/node_probe/index.js';
import { installTestSite, makeCodebase, type Driver, type TestCodebase } from '../../harness/codebase.js';

/** A site of the testing profile with node and the node_probe fixture enabled. */
export interface ProbeSite {
  readonly tc: TestCodebase;
  readonly site: Site;
  close(): Promise<void>;
}

/** Install a testing site on a driver and enable node_probe (and with it node), and any other modules. */
export async function probeSite(driver: Driver, more: readonly string[] = []): Promise<ProbeSite> {
  const tc = makeCodebase();
  const site = await installTestSite(tc, driver);
  await enableModules(site, ['node_probe', ...more]);
  return { tc, site, close: async () => { await site.close(); tc.cleanup(); } };
}

/** Empty the node table, the probe's log and its configuration (between tests sharing a site). */
export async function resetProbe(site: Site): Promise<void> {
  await site.db('node').delete();
  await site.config.deleteModule('node_probe');
  probeLog(site).length = 0;
}

/** A valid probe node, changed by `over`. */
export function probe(over: Partial<NodeInput> & { fields?: NodeInput['fields'] } = {}): NodeInput {
  return { type: 'probe', title: 'A probe', ...over, fields: { code: 'c1', ...over.fields } };
}

/** An account with exactly these permissions (what the user module's accounts look like to node). */
export function accountWith(uid: number, permissions: readonly string[]): Account {
  const set = new Set(permissions);
  return {
    uid, name: uid ? `user${uid}` : 'Anonymous', roles: uid ? ['authenticated'] : ['anonymous'],
    anonymous: uid === 0, hasPermission: (p) => set.has(p),
  };
}

