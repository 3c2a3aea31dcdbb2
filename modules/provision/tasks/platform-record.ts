import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../core/util/fs.js';
import { MISSING, readJsonFile } from '../../../core/util/json-file.js';

/**
 * The back end's record that it fetched a platform's code itself (from
 * git, into a folder it made): `<home>/fetched/<platform>.json`. Only code
 * with this record is ever removed by a platform delete; a platform saved
 * over a folder that was already there keeps that folder.
 */
export interface FetchedRecord {
  readonly root: string;
  readonly server: string;
  readonly url: string;
  readonly ref: string;
  /** When the fetch began (ISO time). */
  readonly at: string;
}

const fileOf = (home: string, platform: string): string => join(home, 'fetched', `${platform}.json`);

/** The record of a platform, if its code was fetched by the back end. */
export function readFetched(home: string, platform: string): FetchedRecord | undefined {
  const raw = readJsonFile(fileOf(home, platform), 'ERR_CONTEXT_INVALID', { optional: true });
  if (raw === MISSING) return undefined;
  const r = raw as Partial<FetchedRecord>;
  return typeof r.root === 'string' && typeof r.server === 'string' ? (r as FetchedRecord) : undefined;
}

/** Record that the back end is fetching a platform's code (written before the first byte, so a crash mid-fetch is still known). */
export function writeFetched(home: string, platform: string, record: FetchedRecord): void {
  mkdirSync(join(home, 'fetched'), { recursive: true, mode: 0o750 });
  writeFileAtomic(fileOf(home, platform), JSON.stringify(record, null, 2) + '\n', 0o640);
}

/** Forget a platform's record; resolves with whether there was one. */
export function removeFetched(home: string, platform: string): boolean {
  const had = readFetched(home, platform) !== undefined;
  rmSync(fileOf(home, platform), { force: true });
  return had;
}
