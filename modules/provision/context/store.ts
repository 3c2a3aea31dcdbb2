import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { MISSING, readJsonFile } from '../../../core/util/json-file.js';
import type { ContextType, PlatformContext, ProvisionContext, ServerContext, SiteProvisionContext } from './types.js';
import { checkName, parseContext } from './validate.js';

/** The context type for each type name. */
export interface ContextOf {
  server: ServerContext;
  platform: PlatformContext;
  site: SiteProvisionContext;
}

/**
 * Contexts as JSON files under `<home>/contexts/`, validated on every read
 * and write. Writes are atomic; a context another one refers to cannot be
 * deleted.
 */
export class ContextStore {
  readonly dir: string;

  constructor(readonly home: string) {
    this.dir = join(home, 'contexts');
  }

  private path(name: string): string {
    checkName(name);
    return join(this.dir, `${name}.json`);
  }

  /** A context, or undefined when there is none of that name. */
  find(name: string): ProvisionContext | undefined {
    const raw = readJsonFile(this.path(name), 'ERR_CONTEXT_INVALID', { optional: true });
    return raw === MISSING ? undefined : parseContext(raw, name);
  }

  /** A context of a given type; ERR_CONTEXT_UNKNOWN or ERR_CONTEXT_TYPE otherwise. */
  get<T extends ContextType>(name: string, type: T): ContextOf[T] {
    const c = this.find(name);
    if (!c) throw new AegirError('ERR_CONTEXT_UNKNOWN', { name, where: this.dir });
    if (c.type !== type) throw new AegirError('ERR_CONTEXT_TYPE', { name, actual: c.type, expected: type });
    return c as ContextOf[T];
  }

  /** Write a context after validating it; returns what was written. */
  save(context: ProvisionContext): ProvisionContext {
    const valid = parseContext(context, context.name);
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    writeFileAtomic(this.path(valid.name), JSON.stringify(valid, null, 2) + '\n', 0o640);
    return valid;
  }

  /** Every context, optionally of one type, by name. */
  list<T extends ContextType>(type?: T): ContextOf[T][] {
    let files: string[] = [];
    try { files = readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort(); } catch { return []; }
    return files.map((f) => this.find(f.slice(0, -5))!).filter((c) => !type || c.type === type) as ContextOf[T][];
  }

  /** Names of the contexts that refer to `name` (sites of a platform, platforms and sites of a server). */
  usersOf(name: string): string[] {
    return this.list().filter((c) =>
      (c.type === 'platform' && c.server === name) || (c.type === 'site' && (c.platform === name || c.dbServer === name)),
    ).map((c) => c.name);
  }

  /** Delete a context; refused while others refer to it. */
  delete(name: string): void {
    const users = this.usersOf(name);
    if (users.length) throw new AegirError('ERR_CONTEXT_IN_USE', { name, action: 'deleted', users: users.join(', ') });
    rmSync(this.path(name), { force: true });
  }
}
