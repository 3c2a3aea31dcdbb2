import type { Knex } from 'knex';
import type { NodeTypeDefinition } from '../../node/types.js';

/**
 * The package node type: a module or install profile that platform
 * verifies found, once per name and kind. Its row is `hosting_package`;
 * where it is installed, and in which version, is `hosting_package_instance`
 * (one row per platform). Only verifies make and change packages.
 */
export const packageNodeType: NodeTypeDefinition = {
  type: 'package',
  label: 'Package',
  description: 'A module or install profile found on platforms, with the version on each; recorded by platform verifies.',
  titleLabel: 'Name',
  fields: {
    package_type: { type: 'select', label: 'Kind', options: { module: 'Module', profile: 'Install profile' }, required: true },
  },
};

/** The back end's report of a platform verify, as far as the front end keeps it. */
export interface PlatformReport {
  readonly core?: string;
  readonly modules?: readonly { name: string; type: string; version: string | null; origin: string }[];
  readonly profiles?: readonly string[];
}

/**
 * Record the modules and profiles a platform verify found, with their
 * versions, replacing what its last verify found. A package seen for the
 * first time gets its node (written straight into the tables, in the
 * caller's transaction).
 */
export async function recordPackages(db: Knex, platformNid: number, report: PlatformReport, uid: number): Promise<void> {
  await db('hosting_package_instance').where({ platform_nid: platformNid }).delete();
  const found = [
    ...(report.modules ?? []).map((m) => ({ name: m.name, type: m.type === 'profile' ? 'profile' : 'module', version: m.version, origin: m.origin })),
    ...(report.profiles ?? []).filter((p) => !(report.modules ?? []).some((m) => m.name === p)).map((p) => ({ name: p, type: 'profile', version: null, origin: 'profile' })),
  ];
  if (!found.length) return;
  const known = new Map(((await db('hosting_package').whereIn('name', found.map((p) => p.name)).select('nid', 'name', 'type')) as { nid: number; name: string; type: string }[])
    .map((r) => [`${r.type}:${r.name}`, Number(r.nid)]));
  const now = Date.now();
  for (const p of found) {
    let nid = known.get(`${p.type}:${p.name}`);
    if (nid === undefined) {
      const ids = (await db('node').insert({ type: 'package', title: p.name, uid, status: 1, promote: 0, sticky: 0, created: now, changed: now, data: JSON.stringify({ package_type: p.type }) })) as number[];
      nid = Number(ids[0]);
      await db('hosting_package').insert({ nid, name: p.name, type: p.type, title: p.name });
      known.set(`${p.type}:${p.name}`, nid);
    }
    await db('hosting_package_instance').insert({ package_nid: nid, platform_nid: platformNid, version: p.version, origin: p.origin });
  }
}
