import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AegirError } from '../errors/aegir-error.js';
import { readJsonFile } from '../util/json-file.js';

/** A theme found under themes/<name>/ with its theme.json. */
export interface ThemeInfo {
  readonly name: string;
  readonly description: string;
  /** Theme whose templates and stylesheets this one extends. */
  readonly base: string | undefined;
  /** A base for other themes only: not offered as a site's theme. */
  readonly hidden: boolean;
  /** Name of the theme engine that renders its templates (default nunjucks). */
  readonly engine: string;
  /** Stylesheets under the theme's assets/ folder, in order. */
  readonly stylesheets: readonly string[];
  readonly dir: string;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const ASSET = /^[A-Za-z0-9_-][A-Za-z0-9_./-]*\.css$/;

/** Every theme of a codebase by name; a malformed theme.json is ERR_THEME_INVALID. */
export function discoverThemes(root: string): Map<string, ThemeInfo> {
  const out = new Map<string, ThemeInfo>();
  const base = join(root, 'themes');
  let names: string[] = [];
  try { names = readdirSync(base).sort(); } catch { return out; }
  for (const n of names) {
    const file = join(base, n, 'theme.json');
    if (!existsSync(file)) continue;
    const raw = readJsonFile(file, 'ERR_THEME_INVALID');
    const bad = (problem: string): never => { throw new AegirError('ERR_THEME_INVALID', { path: file, problem }); };
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('it must be an object');
    const t = raw as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!['name', 'description', 'base', 'stylesheets', 'engine', 'hidden'].includes(k)) bad(`unknown key "${k}"`);
    if (t.hidden !== undefined && typeof t.hidden !== 'boolean') bad('"hidden" must be true or false');
    if (t.engine !== undefined && (typeof t.engine !== 'string' || !NAME.test(t.engine))) bad('"engine" must be the name of a theme engine');
    if (typeof t.name !== 'string' || !NAME.test(t.name) || t.name !== n) bad('"name" must be a machine name equal to the folder name');
    if (typeof t.description !== 'string') bad('"description" must be a string');
    if (t.base !== undefined && (typeof t.base !== 'string' || !NAME.test(t.base))) bad('"base" must be a theme name');
    const sheets = t.stylesheets ?? [];
    if (!Array.isArray(sheets) || !sheets.every((s) => typeof s === 'string' && ASSET.test(s) && !s.split('/').includes('..'))) {
      bad('"stylesheets" must list .css files under the theme\'s assets/ folder');
    }
    out.set(n, {
      name: n, description: t.description as string, base: t.base as string | undefined, engine: (t.engine as string | undefined) ?? 'nunjucks', hidden: t.hidden === true,
      stylesheets: sheets as string[], dir: join(base, n),
    });
  }
  return out;
}

/** A theme and its base themes, the theme first; unknown or cyclic bases are ERR_THEME_INVALID. */
export function themeChain(themes: ReadonlyMap<string, ThemeInfo>, name: string): ThemeInfo[] {
  const chain: ThemeInfo[] = [];
  for (let cur: string | undefined = name; cur !== undefined;) {
    const t = themes.get(cur);
    if (!t) throw new AegirError('ERR_THEME_UNKNOWN', { theme: cur, available: [...themes.keys()].join(', ') || 'none' });
    if (chain.includes(t)) throw new AegirError('ERR_THEME_INVALID', { path: join(t.dir, 'theme.json'), problem: 'its base themes form a cycle' });
    chain.push(t);
    cur = t.base;
  }
  return chain;
}
