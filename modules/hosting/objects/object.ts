import type { Knex } from 'knex';
import type { Lanes } from '../queue/lanes.js';

/** The kinds of object tasks work on. */
export type ObjectKind = 'server' | 'platform' | 'site';

/** A server, platform or site as tasks see it: what it is, its provision context, its state and its lanes. */
export interface HostingObject {
  readonly nid: number;
  readonly kind: ObjectKind;
  readonly title: string;
  /** Its provision context (`server_master`, `platform_core`, `example.com`). */
  readonly context: string;
  /** Servers and platforms: new, verified, failed (deleted); sites: new, installed, disabled, failed, deleted. */
  readonly status: string;
  /** A locked platform takes no new sites. */
  readonly locked: boolean;
  /** One of the hostmaster's own: dangerous tasks are refused on it. */
  readonly hostmaster: boolean;
  /** The lanes of its tasks (see queue/lanes.ts). */
  readonly lanes: Omit<Lanes, 'nid'>;
}

const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Load the hosting object of a node (undefined when the node is no server, platform or site, or its row is gone). */
export async function loadObject(db: Knex, nid: number): Promise<HostingObject | undefined> {
  const node = (await db('node').where({ nid }).first('nid', 'type', 'title')) as { nid: number; type: string; title: string } | undefined;
  if (!node) return undefined;
  if (node.type === 'site') {
    const s = await db('hosting_site as s').join('hosting_platform as p', 'p.nid', 's.platform_nid').where('s.nid', nid)
      .first('s.domain', 's.status', 's.hostmaster', 's.platform_nid', 'p.server_nid') as Record<string, unknown> | undefined;
    if (!s) return undefined;
    return {
      nid, kind: 'site', title: node.title, context: String(s.domain), status: String(s.status), locked: false, hostmaster: Number(s.hostmaster) === 1,
      lanes: { objectKind: 'site', siteNid: nid, platformNid: n(s.platform_nid), serverNid: n(s.server_nid) },
    };
  }
  if (node.type === 'platform') {
    const p = await db('hosting_platform').where({ nid }).first() as Record<string, unknown> | undefined;
    if (!p) return undefined;
    return {
      nid, kind: 'platform', title: node.title, context: String(p.context), status: String(p.status), locked: Number(p.locked) === 1, hostmaster: Number(p.hostmaster) === 1,
      lanes: { objectKind: 'platform', siteNid: null, platformNid: nid, serverNid: n(p.server_nid) },
    };
  }
  if (node.type === 'server') {
    const v = await db('hosting_server').where({ nid }).first() as Record<string, unknown> | undefined;
    if (!v) return undefined;
    return {
      nid, kind: 'server', title: node.title, context: String(v.context), status: String(v.status), locked: false, hostmaster: Number(v.hostmaster) === 1,
      lanes: { objectKind: 'server', siteNid: null, platformNid: null, serverNid: nid },
    };
  }
  return undefined;
}
