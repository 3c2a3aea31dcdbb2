import type { Knex } from 'knex';
import type { Renderable } from '../../../../core/theme/renderable.js';
import { compareVersions, type VersionChange } from '../../../vcs-deploy/api.js';

/** What a migrate does to one module of the site: its version's change, or 'missing' on the target. */
export type ModuleChange = VersionChange | 'missing';

/** One module of a site compared with a target platform. */
export interface ModuleComparison {
  readonly name: string;
  readonly type: string;
  /** Its version on the site now (null: unknown). */
  readonly from: string | null;
  /** Its version on the target (null: unknown or missing). */
  readonly to: string | null;
  readonly change: ModuleChange;
  /** Why the change is what it is, where that is not plain (a module in the site's own folder). */
  readonly note?: string;
}

interface SiteModuleRow { package_nid: number; name: string; type: string; version: string | null; origin: string }

/**
 * Each module the site has enabled (as its last verify or install
 * listed it) compared with each target platform's version of it
 * (hosting_package_instance): upgrade, same, downgrade, unknown (either
 * version unknown, or trees that diverged), or missing. A module in the
 * site's own folder moves with it (same); one of its install profile's
 * own folder is not listed per platform (unknown, when the platform does
 * not list it elsewhere). Undefined when the site's modules are not known
 * (never verified since versions were recorded).
 */
export async function compareWithPlatforms(db: Knex, siteNid: number, platformNids: readonly number[]): Promise<Map<number, ModuleComparison[]> | undefined> {
  const mods = (await db('hosting_site_package as s').join('hosting_package as k', 'k.nid', 's.package_nid').where('s.site_nid', siteNid)
    .orderBy([{ column: 'k.type', order: 'desc' }, { column: 'k.name' }]).select('s.package_nid', 'k.name', 'k.type', 's.version', 's.origin')) as SiteModuleRow[];
  if (!mods.length) return undefined;
  const instances = platformNids.length
    ? (await db('hosting_package_instance').whereIn('platform_nid', [...platformNids]).whereIn('package_nid', mods.map((m) => m.package_nid))
      .select('platform_nid', 'package_nid', 'version')) as { platform_nid: number; package_nid: number; version: string | null }[]
    : [];
  const there = new Map(instances.map((i) => [`${Number(i.platform_nid)}:${Number(i.package_nid)}`, i.version]));
  const out = new Map<number, ModuleComparison[]>();
  for (const p of platformNids) {
    out.set(p, mods.map((m): ModuleComparison => {
      const base = { name: m.name, type: m.type, from: m.version };
      if (m.origin === 'site') return { ...base, to: m.version, change: 'same', note: 'in the site\'s folder, moves with it' };
      const key = `${p}:${Number(m.package_nid)}`;
      if (!there.has(key)) {
        return m.origin === 'profile'
          ? { ...base, to: null, change: 'unknown', note: 'in its install profile\'s folder, which platforms do not list' }
          : { ...base, to: null, change: 'missing' };
      }
      const to = there.get(key) ?? null;
      return { ...base, to, change: compareVersions(m.version, to) };
    }));
  }
  return out;
}

/** The comparisons a migrate refuses unless forced: downgrades and missing modules. */
export function refusedOf(list: readonly ModuleComparison[]): ModuleComparison[] {
  return list.filter((c) => c.change === 'downgrade' || c.change === 'missing');
}

/** The refused modules in a sentence: "demo 1.1.0 → 1.0.0, blog (missing)". */
export function describeRefused(list: readonly ModuleComparison[]): string {
  return list.map((c) => (c.change === 'missing' ? `${c.name} (missing)` : `${c.name} ${c.from ?? 'unknown'} → ${c.to ?? 'unknown'}`)).join(', ');
}

const BADGE: Record<ModuleChange, string> = { upgrade: 'success', same: 'neutral', downgrade: 'error', missing: 'error', unknown: 'warning' };

/**
 * The comparison with each platform as tables for the migrate form: the
 * modules whose version would change (or is unknown), with a caption
 * counting each kind; every platform the user may choose gets one, since
 * the form has no script to show only the chosen one.
 */
export function comparisonTables(byPlatform: ReadonlyMap<number, readonly ModuleComparison[]> | undefined, titles: ReadonlyMap<number, string>): Renderable {
  if (!byPlatform) return { text: 'The site\'s modules are not known yet: verify the site to compare them with each platform before migrating.' };
  const tables: Renderable[] = [];
  for (const [nid, list] of byPlatform) {
    const counts = (['upgrade', 'downgrade', 'missing', 'unknown', 'same'] as const).map((k) => [k, list.filter((c) => c.change === k).length] as const).filter(([, n]) => n > 0);
    const refused = refusedOf(list).length;
    const caption = `${titles.get(nid) ?? `Platform ${nid}`}: ${counts.map(([k, n]) => `${n} ${k === 'same' ? 'the same' : k}`).join(', ')}${refused ? ' (refused unless forced)' : ''}`;
    tables.push({
      template: 'table',
      vars: {
        caption,
        headers: [{ label: 'Module' }, { label: 'Now' }, { label: 'There' }, { label: 'Change' }],
        rows: list.filter((c) => c.change !== 'same').map((c) => [c.name, c.from ?? 'unknown', c.to ?? (c.change === 'missing' ? '—' : 'unknown'), { text: c.note ? `${c.change}: ${c.note}` : c.change, badge: BADGE[c.change] }]),
        empty: 'Every module of the site: the same version there.',
        tableClass: 'hosting-list migrate-versions',
      },
    });
  }
  return tables.length ? tables : { text: 'No other platform to compare with.' };
}
