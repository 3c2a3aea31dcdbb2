import { readFileSync } from 'node:fs';
import { AegirError } from '../errors/aegir-error.js';
import type { ErrorCode } from '../errors/catalogue.js';

/** Marks a file that does not exist, for callers that allow that. */
export const MISSING = Symbol('missing file');

/**
 * Read and parse a JSON file whose problems are the coded error `code`
 * with facts `{ path, problem }`: unreadable, not JSON. A missing file is
 * MISSING when `optional` is set, else an error too.
 */
export function readJsonFile(path: string, code: ErrorCode, opts: { optional?: boolean } = {}): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' && opts.optional) return MISSING;
    throw new AegirError(code, { path, problem: `cannot be read (${errno ?? 'error'})` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AegirError(code, { path, problem: `not valid JSON (${(e as Error).message})` });
  }
}
