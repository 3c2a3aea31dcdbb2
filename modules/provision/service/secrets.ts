import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../../core/util/fs.js';

const KEY = /^[a-z][a-z0-9_.-]{0,120}$/;

/**
 * Secrets of the back end (database admin passwords, site database
 * passwords) as files of mode 0600 under `<home>/secrets/`, one per key.
 * Never in contexts, argv or logs.
 */
export class Secrets {
  readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, 'secrets');
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new AegirError('ERR_CONTEXT_INVALID', { name: key, problem: 'not a valid secret name' });
    return join(this.dir, key);
  }

  /** The secret, or undefined when none is stored. */
  get(key: string): string | undefined {
    try {
      return readFileSync(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  set(key: string, value: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.path(key), value, 0o600);
  }

  /** Remove a secret; resolves with whether there was one. */
  delete(key: string): boolean {
    const had = this.get(key) !== undefined;
    rmSync(this.path(key), { force: true });
    return had;
  }
}
