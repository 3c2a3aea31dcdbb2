import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';
import { MISSING, readJsonFile } from '../util/json-file.js';

/** Where `@name` points: a codebase root (optional) and a site address. */
export interface SiteAlias {
  readonly root?: string | undefined;
  readonly uri: string;
}

/** The Aegir home folder: $AEGIR_HOME, else ~/.aegir. Provision keeps its contexts here too. */
export function aegirHome(env: Readonly<Record<string, string | undefined>>): string {
  return env.AEGIR_HOME && isAbsolute(env.AEGIR_HOME) ? env.AEGIR_HOME : join(env.HOME || homedir(), '.aegir');
}

/**
 * Resolve `@name`: the file `<aegir home>/aliases/<name>.json` holding
 * `{ "root": "/path", "uri": "example.com" }` if it exists; otherwise the
 * name itself is taken as the site's address in the current codebase.
 */
export function resolveAlias(name: string, env: Readonly<Record<string, string | undefined>>): SiteAlias {
  const path = join(aegirHome(env), 'aliases', `${name}.json`);
  const raw = readJsonFile(path, 'ERR_ALIAS_INVALID', { optional: true });
  if (raw === MISSING) return { uri: name };
  const bad = (problem: string): never => { throw new AegirError('ERR_ALIAS_INVALID', { path, problem }); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be an object with "uri" and optionally "root"');
  const a = raw as Record<string, unknown>;
  for (const k of Object.keys(a)) if (k !== 'root' && k !== 'uri') bad(`unknown key "${k}"`);
  if (typeof a.uri !== 'string' || !a.uri) bad('"uri" must be the site address');
  if (a.root !== undefined && (typeof a.root !== 'string' || !isAbsolute(a.root))) bad('"root" must be an absolute path');
  return { uri: a.uri as string, root: a.root as string | undefined };
}
