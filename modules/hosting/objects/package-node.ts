import type { Knex } from 'knex';
import { isMachineName } from '../../../core/modules/manifest.js';
import { readModuleReports, type ModuleReport } from '../../system/module-report.js';
import { isReportableVersion } from '../../system/versions.js';
import type { NodeTypeDefinition } from '../../node/types.js';

/**
 * The package node type: a module or install profile that platform
 * verifies (or a site's verify) found, once per name and kind. Its row is
 * `hosting_package`; where it is installed, and in which version, is
 * `hosting_package_instance` (one row per platform) and
 * `hosting_site_package` (one row per site that has it enabled). Only
 * verifies make and change packages.
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

/** The back end's report of a platform verify, as far as the front end keeps it (checked by readPlatformReport). */
export interface PlatformReport {
  readonly core?: string;
  /** The platform's own version (vcs_deploy: from git), null when unknown. */
  readonly version?: string | null;
  readonly versionOrigin?: string | null;
  readonly modules?: readonly ModuleReport[];
  readonly profiles?: readonly string[];
}

/**
 * Check what a platform verify reported (a back end's output is input):
 * the core version, the platform's own version and where it came from,
 * each module as pm-list and platform-info report them, the profiles by
 * machine name. The report, or the first problem found.
 */
export function readPlatformReport(raw: unknown): { readonly report: PlatformReport } | { readonly problem: string } {
  const r = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (r.core !== undefined && (typeof r.core !== 'string' || !isReportableVersion(r.core) || r.core.length > 32)) return { problem: 'core is no version' };
  const version = r.version ?? null;
  if (version !== null && !isReportableVersion(version)) return { problem: 'the platform\'s version is no semantic version of at most 64 characters' };
  const from = r.versionOrigin ?? null;
  if (from !== null && (typeof from !== 'string' || !/^[a-z][a-z0-9_-]{0,15}$/.test(from))) return { problem: 'versionOrigin must be a short lower-case name such as vcs' };
  const modules = readModuleReports(r.modules ?? []);
  if ('problem' in modules) return { problem: `modules: ${modules.problem}` };
  const profiles = r.profiles ?? [];
  if (!Array.isArray(profiles) || !profiles.every((p) => typeof p === 'string' && isMachineName(p))) return { problem: 'profiles must be a list of machine names' };
  return { report: { core: r.core as string | undefined, version, versionOrigin: version === null ? null : from, modules: modules.modules, profiles: profiles as string[] } };
}

/**
 * The package node of each (name, kind), made for those seen for the first
 * time (written straight into the tables, in the caller's transaction);
 * keyed `kind:name`.
 */
export async function packageNids(db: Knex, found: readonly { name: string; type: string }[], uid: number): Promise<Map<string, number>> {
  const known = new Map<string, number>();
  if (!found.length) return known;
  for (const r of (await db('hosting_package').whereIn('name', [...new Set(found.map((p) => p.name))]).select('nid', 'name', 'type')) as { nid: number; name: string; type: string }[]) {
    known.set(`${r.type}:${r.name}`, Number(r.nid));
  }
  const now = Date.now();
  for (const p of found) {
    const key = `${p.type}:${p.name}`;
    if (known.has(key)) continue;
    const ids = (await db('node').insert({ type: 'package', title: p.name, uid, status: 1, promote: 0, sticky: 0, created: now, changed: now, data: JSON.stringify({ package_type: p.type }) })) as number[];
    const nid = Number(ids[0]);
    await db('hosting_package').insert({ nid, name: p.name, type: p.type, title: p.name });
    known.set(key, nid);
  }
  return known;
}

/**
 * Record the modules and profiles a platform verify found, with their
 * versions and where each version came from, replacing what its last
 * verify found.
 */
export async function recordPackages(db: Knex, platformNid: number, report: PlatformReport, uid: number): Promise<void> {
  await db('hosting_package_instance').where({ platform_nid: platformNid }).delete();
  const modules = report.modules ?? [];
  const found = [
    ...modules.map((m) => ({ name: m.name, type: m.type === 'profile' ? 'profile' : 'module', version: m.version, versionOrigin: m.versionOrigin ?? null, origin: m.origin })),
    ...(report.profiles ?? []).filter((p) => !modules.some((m) => m.name === p)).map((p) => ({ name: p, type: 'profile', version: null, versionOrigin: null, origin: 'profile' })),
  ];
  const nids = await packageNids(db, found, uid);
  for (const p of found) {
    await db('hosting_package_instance').insert({ package_nid: nids.get(`${p.type}:${p.name}`)!, platform_nid: platformNid, version: p.version, version_origin: p.versionOrigin, origin: p.origin });
  }
}

/**
 * Record the modules and profile a site has enabled, with their versions,
 * as its verify or install listed them, replacing what was known.
 */
export async function recordSitePackages(db: Knex, siteNid: number, modules: readonly ModuleReport[], uid: number): Promise<void> {
  await db('hosting_site_package').where({ site_nid: siteNid }).delete();
  const nids = await packageNids(db, modules, uid);
  for (const m of modules) {
    await db('hosting_site_package').insert({ site_nid: siteNid, package_nid: nids.get(`${m.type}:${m.name}`)!, version: m.version, version_origin: m.versionOrigin, origin: m.origin });
  }
}
