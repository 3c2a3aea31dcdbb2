import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../../core/errors/aegir-error.js';
import { writeFileAtomic } from '../../core/util/fs.js';
import { MISSING, readJsonFile } from '../../core/util/json-file.js';

/** Where the hostmaster of an Aegir home is: written at the end of its install. */
export interface HostmasterMarker {
  /** The codebase it runs on (its platform). */
  readonly root: string;
  /** Its site folder under sites/ and address. */
  readonly uri: string;
  /** The address a browser opens. */
  readonly url: string;
  readonly installedAt: number;
}

/** The marker file of an Aegir home. */
export function markerPath(home: string): string {
  return join(home, 'hostmaster.json');
}

/** The hostmaster of an Aegir home, or undefined before its install; a damaged file is ERR_HOSTMASTER_MARKER_INVALID. */
export function readMarker(home: string): HostmasterMarker | undefined {
  const path = markerPath(home);
  const raw = readJsonFile(path, 'ERR_HOSTMASTER_MARKER_INVALID', { optional: true });
  if (raw === MISSING) return undefined;
  const m = raw as Partial<HostmasterMarker>;
  if (typeof m !== 'object' || m === null || typeof m.root !== 'string' || !m.root.startsWith('/') || typeof m.uri !== 'string' || !/^[a-z0-9.-]{1,253}$/.test(m.uri)
    || typeof m.url !== 'string' || !/^https?:\/\//.test(m.url) || typeof m.installedAt !== 'number') {
    throw new AegirError('ERR_HOSTMASTER_MARKER_INVALID', { path, problem: 'it needs root (an absolute path), uri, url and installedAt' });
  }
  return m as HostmasterMarker;
}

/** Record the installed hostmaster (mode 0600). */
export function writeMarker(home: string, m: HostmasterMarker): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileAtomic(markerPath(home), `${JSON.stringify(m, null, 2)}\n`, 0o600);
}
