import type { Knex } from 'knex';
import { wherePrefix } from '../database/like.js';
import { AegirError } from '../errors/aegir-error.js';

/** A value that survives JSON. */
/** (Object members may be undefined: JSON leaves them out.) */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };

const KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** Whether a configuration key is well-formed: `module.name`, dotted, lower case. */
export function isConfigKey(key: string): boolean {
  return key.length <= 191 && KEY.test(key);
}

/**
 * A site's configuration: JSON values by `module.name` key, stored in the
 * site database. Values in the settings file's `config` section override the
 * database and cannot be changed from here (like Drupal's $conf).
 */
export class ConfigStore {
  constructor(
    private readonly db: Knex,
    private readonly overrides: Readonly<Record<string, Json>>,
    private readonly settingsPath: string,
  ) {}

  /** The value of `key`, or `fallback` when it is not set. */
  async get<T extends Json>(key: string, fallback?: T): Promise<T | undefined> {
    check(key);
    if (key in this.overrides) return this.overrides[key] as T;
    const row = await this.db('core_config').where({ name: key }).first('value');
    return row ? (JSON.parse(row.value) as T) : fallback;
  }

  /** Set `key` to a JSON value. */
  async set(key: string, value: Json): Promise<void> {
    check(key);
    if (key in this.overrides) throw new AegirError('ERR_CONFIG_OVERRIDDEN', { key, path: this.settingsPath });
    const text = JSON.stringify(value);
    await this.db('core_config').insert({ name: key, value: text }).onConflict('name').merge({ value: text });
  }

  /** Remove `key`; true if it was set. */
  async delete(key: string): Promise<boolean> {
    check(key);
    return (await this.db('core_config').where({ name: key }).delete()) > 0;
  }

  /** Remove every key of a module (on uninstall). */
  async deleteModule(module: string): Promise<void> {
    await wherePrefix(this.db('core_config'), 'name', `${module}.`).delete();
  }

  /** All keys and values, optionally those starting with `prefix`; overrides included and marked. */
  async list(prefix = ''): Promise<{ key: string; value: Json; overridden: boolean }[]> {
    const rows: { name: string; value: string }[] = await wherePrefix(this.db('core_config').select('name', 'value').orderBy('name'), 'name', prefix);
    const out = new Map(rows.map((r) => [r.name, { key: r.name, value: JSON.parse(r.value) as Json, overridden: false }]));
    for (const [k, v] of Object.entries(this.overrides)) if (k.startsWith(prefix)) out.set(k, { key: k, value: v, overridden: true });
    return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  }
}

function check(key: string): void {
  if (!isConfigKey(key)) throw new AegirError('ERR_CONFIG_KEY_INVALID', { key });
}
