import type { Knex } from 'knex';

/** A module's record in a site database. */
export interface ModuleState {
  readonly name: string;
  readonly status: 'enabled' | 'disabled';
  /** Last update number applied (0: none). */
  readonly schemaVersion: number;
  readonly version: string | null;
}

const TABLE = 'core_modules';

/**
 * Reads and writes which modules a site has installed. A module with no row
 * is not installed; a row says enabled or disabled.
 */
export class ModuleStateStore {
  constructor(private readonly db: Knex) {}

  /** Every installed module's record, by name. */
  async all(): Promise<Map<string, ModuleState>> {
    const rows = await this.db(TABLE).select('name', 'status', 'schema_version', 'version');
    return new Map(rows.map((r: { name: string; status: string; schema_version: number | string; version: string | null }) => [
      r.name,
      { name: r.name, status: r.status === 'enabled' ? 'enabled' : 'disabled', schemaVersion: Number(r.schema_version), version: r.version },
    ]));
  }

  /** Record a newly installed module. */
  async insert(name: string, status: 'enabled' | 'disabled', schemaVersion: number, version: string | undefined): Promise<void> {
    await this.db(TABLE).insert({ name, status, schema_version: schemaVersion, version: version ?? null, installed_at: Date.now() });
  }

  /** Mark an installed module enabled or disabled. */
  async setStatus(name: string, status: 'enabled' | 'disabled'): Promise<void> {
    await this.db(TABLE).where({ name }).update({ status });
  }

  /** Record that update `n` of a module has run. */
  async setSchemaVersion(name: string, n: number, version: string | undefined): Promise<void> {
    await this.db(TABLE).where({ name }).update({ schema_version: n, version: version ?? null });
  }

  /** Forget a module (uninstalled). */
  async remove(name: string): Promise<void> {
    await this.db(TABLE).where({ name }).delete();
  }
}
