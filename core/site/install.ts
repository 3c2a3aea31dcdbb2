import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { Knex } from 'knex';
import { openDatabase, openServer, sqlitePath } from '../database/connect.js';
import { coreSchema } from '../database/core-schema.js';
import type { DatabaseSettings, MysqlSettings } from '../database/db-url.js';
import { installSchema, validateSchema } from '../database/schema.js';
import { AegirError, describe } from '../errors/aegir-error.js';
import { Kernel } from '../kernel/kernel.js';
import type { Logger } from '../logger/logger.js';
import type { InstallInput } from '../modules/definition.js';
import { orderModules, withDependencies } from '../modules/graph.js';
import { enableModules } from '../modules/lifecycle.js';
import { newHashSalt, readSettings, settingsPath, writeSettings, type Settings } from '../settings/settings.js';
import { isSiteDirName } from '../settings/sites-json.js';
import { writeFileAtomic } from '../util/fs.js';
import { UndoStack } from '../util/undo.js';
import type { Codebase } from './codebase.js';
import { isInstalledDatabase, Site } from './site.js';

/** What site-install needs. */
export interface InstallOptions {
  readonly codebase: Codebase;
  /** Folder name under sites/ for the new site. */
  readonly siteDir: string;
  readonly database: DatabaseSettings;
  readonly input: InstallInput;
  /** Replace an installed site (its old database is kept until the new one is complete). */
  readonly force?: boolean;
  readonly logger: Logger;
}

/**
 * Install a site: check everything that can be checked first (profile,
 * dependencies, module entries, schemas, database reachable, site not
 * installed), then create the folder, database, core tables and settings
 * file, install the required modules and the profile with its
 * dependencies, and run the install steps. If any step after the checks
 * fails, everything created is removed again and an installed site that
 * --force was replacing is put back: ERR_INSTALL_FAILED names the step.
 */
export async function installSite(opts: InstallOptions): Promise<Site> {
  const { codebase, siteDir, database, input, logger } = opts;
  if (!isSiteDirName(siteDir)) throw new AegirError('ERR_URI_INVALID', { uri: siteDir, problem: 'it cannot be a folder name under sites/' });
  const dir = codebase.sitePath(siteDir);

  // 1. Checks that change nothing.
  const catalog = codebase.modules(input.profile, siteDir);
  const profiles = codebase.profiles().map((p) => p.manifest.name);
  if (catalog.get(input.profile)?.manifest.type !== 'profile') {
    throw new AegirError('ERR_PROFILE_UNKNOWN', { profile: input.profile, available: profiles.join(', ') || 'none' });
  }
  const required = [...catalog.values()].filter((m) => m.manifest.required).map((m) => m.manifest.name);
  const order = orderModules(catalog, withDependencies(catalog, [...required, input.profile]));
  for (const m of await codebase.load(catalog, order)) if (m.definition.schema) validateSchema(m.name, m.definition.schema);
  const previous = existsSync(settingsPath(dir)) ? readFileSync(settingsPath(dir), 'utf8') : undefined;
  if (previous !== undefined && !opts.force) await checkExisting(dir, siteDir);
  await checkTarget(database, dir, siteDir, !!opts.force);

  // 2. Changes, each with its undo.
  const undo = new UndoStack();
  const cleanup: (() => void | Promise<void>)[] = [];
  let step = 'create the site folder';
  let db: Knex | undefined;
  try {
    for (const d of [dir, `${dir}/files`, `${dir}/private`]) {
      if (!existsSync(d)) {
        mkdirSync(d, { recursive: true, mode: d.endsWith('private') ? 0o700 : 0o755 });
        undo.push(`folder ${d}`, () => rmSync(d, { recursive: true, force: true }));
      }
    }
    step = 'create the database';
    db = await prepareDatabase(database, dir, undo, cleanup, logger);
    step = 'create core tables';
    await installSchema(db, 'core', coreSchema);
    step = 'write settings.json';
    const settings: Settings = { database, hashSalt: newHashSalt(), config: {} };
    writeSettings(dir, settings);
    undo.push('settings.json', () => {
      if (previous === undefined) rmSync(settingsPath(dir), { force: true });
      else writeFileAtomic(settingsPath(dir), previous, 0o640);
    });
    const site = new Site(codebase, siteDir, settings, db, logger, Kernel.create([]));
    step = 'install modules';
    logger.info(`Installing ${order.length} modules: ${order.join(', ')}.`);
    await enableModules(site, [...required, input.profile], { allowProfile: true });
    const steps = [
      ...site.hooks.collect('install.steps').map((c) => c.value),
      ...(site.kernel.module(input.profile)?.definition.installSteps ?? []),
    ];
    for (const [i, s] of steps.entries()) {
      step = s.title;
      logger.info(`[${i + 1}/${steps.length}] ${s.title}`);
      await s.run(site, input);
    }
    for (const c of cleanup) await c();
    logger.success(`Installed site ${siteDir} with profile ${input.profile}.`);
    return site;
  } catch (e) {
    logger.error(`Installation failed at "${step}": ${describe(e)}. Rolling back.`);
    await db?.destroy().catch(() => undefined);
    await undo.unwind(logger);
    throw new AegirError('ERR_INSTALL_FAILED', { site: siteDir, step, problem: describe(e) }, { cause: e });
  }
}

/**
 * A settings file is already there: refuse unless its own database is
 * demonstrably not installed. When that cannot be told (the database is
 * unreachable), refuse too: installing would orphan a site we cannot see.
 */
async function checkExisting(dir: string, siteDir: string): Promise<void> {
  const current = readSettings(dir)!;
  if (current.database.driver === 'sqlite' && !existsSync(sqlitePath(current.database.file, dir))) return;
  let installed = true;
  try {
    const db = await openDatabase(current.database, dir);
    try { installed = await isInstalledDatabase(db); } finally { await db.destroy(); }
  } catch { /* unreachable: treat as installed */ }
  if (installed) throw new AegirError('ERR_SITE_EXISTS', { site: siteDir });
}

/** Refuse an installed site without --force; fail early when the database server cannot be reached. */
async function checkTarget(database: DatabaseSettings, dir: string, siteDir: string, force: boolean): Promise<void> {
  if (database.driver === 'sqlite') {
    const file = sqlitePath(database.file, dir);
    if (!existsSync(file) || force) return;
    const db = await openDatabase(database, dir);
    try {
      if (await isInstalledDatabase(db)) throw new AegirError('ERR_SITE_EXISTS', { site: siteDir });
    } finally {
      await db.destroy();
    }
    return;
  }
  const server = await openServer(database);
  try {
    const tables = await listTables(server, database.database);
    if (tables.length && !force) throw new AegirError('ERR_SITE_EXISTS', { site: `${siteDir} (database ${database.database} has ${tables.length} tables)` });
  } finally {
    await server.destroy();
  }
}

async function prepareDatabase(
  database: DatabaseSettings, dir: string, undo: UndoStack, cleanup: (() => void | Promise<void>)[], logger: Logger,
): Promise<Knex> {
  if (database.driver === 'sqlite') {
    const file = sqlitePath(database.file, dir);
    const files = [file, `${file}-wal`, `${file}-shm`];
    if (existsSync(file)) {
      // --force: keep the old database aside until the new one is complete.
      const aside = `${file}.replaced-${Date.now()}`;
      for (const f of files) if (existsSync(f)) renameSync(f, f.replace(file, aside));
      undo.push(`move back the replaced database ${file}`, () => {
        for (const f of files) if (existsSync(f.replace(file, aside))) renameSync(f.replace(file, aside), f);
      });
      cleanup.push(() => { for (const f of files) rmSync(f.replace(file, aside), { force: true }); });
      logger.warning(`Replacing the installed site's database ${file}.`);
    }
    undo.push(`database file ${file}`, () => { for (const f of files) rmSync(f, { force: true }); });
    const db = await openDatabase(database, dir, { create: true });
    // The database holds password hashes: owner only.
    chmodSync(file, 0o600);
    return db;
  }
  await prepareMysql(database, undo, cleanup, logger);
  return openDatabase(database, dir);
}

async function prepareMysql(database: MysqlSettings, undo: UndoStack, cleanup: (() => void | Promise<void>)[], logger: Logger): Promise<void> {
  const server = await openServer(database);
  try {
    const name = database.database;
    const exists = (await server.raw('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]))[0].length > 0;
    if (!exists) {
      await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
      undo.push(`database ${name}`, async () => {
        const s = await openServer(database);
        try { await s.raw('DROP DATABASE IF EXISTS ??', [name]); } finally { await s.destroy(); }
      });
      return;
    }
    const old = await listTables(server, name);
    if (old.length) {
      // --force: rename the old tables aside (atomic in MySQL) until the new site is complete.
      const tag = `zz${Date.now().toString(36)}_`;
      const renames = old.map((t) => ({ from: t, to: (tag + t).slice(0, 64) }));
      await server.raw(`RENAME TABLE ${renames.map(() => '??.?? TO ??.??').join(', ')}`, renames.flatMap((r) => [name, r.from, name, r.to]));
      logger.warning(`Replacing the installed site in database ${name}.`);
      undo.push(`move back the replaced tables of ${name}`, () => withServer(database, async (s) => {
        await dropAllExcept(s, name, renames.map((r) => r.to));
        await s.raw(`RENAME TABLE ${renames.map(() => '??.?? TO ??.??').join(', ')}`, renames.flatMap((r) => [name, r.to, name, r.from]));
      }));
      cleanup.push(() => withServer(database, async (s) => {
        for (const r of renames) await s.raw('DROP TABLE IF EXISTS ??.??', [name, r.to]);
      }));
    } else {
      undo.push(`tables created in ${name}`, () => withServer(database, (s) => dropAllExcept(s, name, [])));
    }
  } finally {
    await server.destroy();
  }
}

async function withServer(database: MysqlSettings, fn: (s: Knex) => Promise<void>): Promise<void> {
  const s = await openServer(database);
  try { await fn(s); } finally { await s.destroy(); }
}

async function listTables(server: Knex, database: string): Promise<string[]> {
  const [rows] = await server.raw('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
  return (rows as { name: string }[]).map((r) => r.name);
}

async function dropAllExcept(server: Knex, database: string, keep: string[]): Promise<void> {
  for (const t of await listTables(server, database)) if (!keep.includes(t)) await server.raw('DROP TABLE IF EXISTS ??.??', [database, t]);
}
