import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSettings } from '../../core/database/db-url.js';
import { Logger, memorySink, type LogEntry } from '../../core/logger/logger.js';
import { Codebase } from '../../core/site/codebase.js';
import { installSite } from '../../core/site/install.js';
import type { Site } from '../../core/site/site.js';
import { mariadb } from './mariadb.js';

/** The repository root. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(REPO, 'test', 'fixtures');

/** A throw-away codebase for one test. */
export interface TestCodebase {
  readonly root: string;
  readonly codebase: Codebase;
  readonly logs: LogEntry[];
  readonly logger: Logger;
  /** Remove the folder. */
  cleanup(): void;
}

function linkAll(from: string, into: string): void {
  mkdirSync(into, { recursive: true });
  let names: string[] = [];
  try { names = readdirSync(from); } catch { return; }
  for (const n of names) if (!n.startsWith('.')) symlinkSync(join(from, n), join(into, n));
}

/**
 * A codebase in a temporary folder: core and the real modules and
 * profiles, plus (unless `fixtures` is false) every fixture module and
 * profile, fixture modules in sites/all/modules and sites/site.test/modules;
 * sites/ itself is a real, writable folder. Folders are symlinks, so fixture
 * and core code are the very files of the repository.
 */
export function makeCodebase(opts: { fixtures?: boolean } = {}): TestCodebase {
  const root = mkdtempSync(join(tmpdir(), 'aegir-cb-'));
  for (const d of ['core', 'themes', 'node_modules']) symlinkSync(join(REPO, d), join(root, d));
  linkAll(join(REPO, 'modules'), join(root, 'modules'));
  linkAll(join(REPO, 'profiles'), join(root, 'profiles'));
  mkdirSync(join(root, 'sites', 'all', 'modules'), { recursive: true });
  if (opts.fixtures !== false) {
    linkAll(join(FIXTURES, 'modules'), join(root, 'modules'));
    linkAll(join(FIXTURES, 'profiles'), join(root, 'profiles'));
    linkAll(join(FIXTURES, 'sites', 'all', 'modules'), join(root, 'sites', 'all', 'modules'));
    linkAll(join(FIXTURES, 'sites', 'site.test', 'modules'), join(root, 'sites', 'site.test', 'modules'));
  }
  const logs: LogEntry[] = [];
  const logger = new Logger(memorySink(logs), 'debug');
  return { root, codebase: new Codebase(root), logs, logger, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** The database drivers every site-level suite runs on. */
export const DRIVERS = ['sqlite', 'mysql'] as const;
/** One of DRIVERS. */
export type Driver = (typeof DRIVERS)[number];

/** Database settings for a new site on a driver (a fresh, not yet created MySQL database). */
export async function databaseFor(driver: Driver): Promise<DatabaseSettings> {
  return driver === 'sqlite' ? { driver: 'sqlite', file: 'private/site.sqlite' } : (await mariadb()).database();
}

/** Install a site in a test codebase with the given profile (default: testing). */
export async function installTestSite(tc: TestCodebase, driver: Driver, opts: { profile?: string; siteDir?: string } = {}): Promise<Site> {
  return installSite({
    codebase: tc.codebase,
    siteDir: opts.siteDir ?? 'site.test',
    database: await databaseFor(driver),
    logger: tc.logger,
    input: {
      profile: opts.profile ?? 'testing',
      siteName: 'Test site',
      siteMail: 'site@site.test',
      account: { name: 'admin', mail: 'admin@site.test', pass: 'correct horse battery' },
    },
  });
}
