/**
 * One shared check for what a task leaves behind: a snapshot of
 * everything a site task can create or change, taken before and after a
 * task that failed, was killed or was cancelled, so that a test compares
 * the two whole. It covers databases and database users (MariaDB),
 * secrets, journals, aliases, contexts, proxy routes and vhost files,
 * site folders on the platforms, backups, and the work folders of moves.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openServer } from '../../../core/database/connect.js';
import { mariadb } from '../../harness/mariadb.js';
import type { ProvisionEnv } from './env.js';

/** Where to look besides the env's own home and platform. */
export interface LeftoverPlaces {
  /** More platform roots (their sites/ folders are listed). */
  readonly platforms?: readonly string[];
  /** A web server's vhost folder (nginx, apache). */
  readonly vhostDir?: string;
}

const hash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);

/** Names in a folder (none when it is missing). */
const names = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** Every file under a folder with a short hash of its content (links by target), skipping names `skip` matches. */
function tree(dir: string, skip: RegExp = /^$/): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const n of names(join(dir, rel))) {
      const path = rel ? `${rel}/${n}` : n;
      if (skip.test(path)) continue;
      const full = join(dir, path);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(path);
      else out[path] = st.isSymbolicLink() ? 'link' : hash(full);
    }
  };
  walk('');
  return out;
}

/** The proxy's routes as it serves them: domain, aliases, enabled; without the generation, which changes on every write. */
function routes(file: string): unknown {
  if (!existsSync(file)) return {};
  const sites = (JSON.parse(readFileSync(file, 'utf8')) as { sites?: Record<string, { aliases: string[]; enabled: boolean; upstream: unknown }> }).sites ?? {};
  return Object.fromEntries(Object.entries(sites).map(([d, s]) => [d, { aliases: s.aliases, enabled: s.enabled, upstream: s.upstream }]));
}


/** Everything a site task can leave behind, for comparing before and after. */
export async function leftovers(pe: ProvisionEnv, places: LeftoverPlaces = {}): Promise<Record<string, unknown>> {
  const home = pe.home;
  const out: Record<string, unknown> = {
    // The home: contexts, secrets, journals, aliases, backups (with hidden partials), fetched records.
    contexts: tree(join(home, 'contexts')),
    secrets: names(join(home, 'secrets')),
    journals: names(join(home, 'tasks')).filter((n) => !n.startsWith('.')),
    aliases: tree(join(home, 'aliases')),
    backups: tree(join(home, 'backups')),
    fetched: names(join(home, 'fetched')),
    routes: routes(join(home, 'run', 'proxy-routes.json')),
    work: names(join(home, 'work')),
  };
  for (const root of [pe.platform.root, ...(places.platforms ?? [])]) out[`sites of ${root}`] = names(join(root, 'sites'));
  if (places.vhostDir) out.vhosts = tree(places.vhostDir);
  if (pe.driver === 'mysql') Object.assign(out, await databasesAndUsers());
  return out;
}

/** The MariaDB server's databases and users (user@host), sorted. */
export async function databasesAndUsers(): Promise<{ databases: string[]; users: string[] }> {
  const m = await mariadb();
  const s = await openServer({ ...m.admin, database: '' });
  try {
    return {
      databases: ((await s.raw('SELECT SCHEMA_NAME AS n FROM information_schema.SCHEMATA'))[0] as { n: string }[]).map((r) => r.n).sort(),
      users: ((await s.raw('SELECT CONCAT(User, "@", Host) AS n FROM mysql.user'))[0] as { n: string }[]).map((r) => r.n).sort(),
    };
  } finally {
    await s.destroy();
  }
}
