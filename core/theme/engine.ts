import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import type { Kernel } from '../kernel/kernel.js';
import { Markup, type Renderable } from './renderable.js';
import { themeChain, type ThemeInfo } from './themes.js';

/** Core's own fallback templates (page, form, error) in a codebase, overridden by modules and themes. */
export function coreTemplates(root: string): string {
  return join(root, 'core', 'theme', 'templates');
}

/**
 * Renders templates for one theme of one kernel. Templates are looked up in
 * the theme, then its base themes, then each enabled module's templates/
 * folder (later modules first, so a module can override one it depends on),
 * then core's. Autoescaping is on: only Markup made by this engine passes
 * unescaped.
 */
export class ThemeEngine {
  private readonly env: nunjucks.Environment;
  /** Stylesheet URLs of the theme chain, base first. */
  readonly stylesheets: readonly string[];

  constructor(readonly theme: ThemeInfo, themes: ReadonlyMap<string, ThemeInfo>, kernel: Kernel, root: string) {
    const chain = themeChain(themes, theme.name);
    const paths = [
      ...chain.map((t) => join(t.dir, 'templates')),
      ...[...kernel.modules].reverse().map((m) => join(m.dir, 'templates')),
      coreTemplates(root),
    ].filter((p) => existsSync(p));
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(paths, { noCache: false, watch: false }), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    this.stylesheets = [...chain].reverse().flatMap((t) => t.stylesheets.map((s) => `/themes/${t.name}/assets/${s}`));
  }

  /** Render a template (name without `.njk`) with variables; Markup values pass unescaped. */
  render(name: string, vars: Readonly<Record<string, unknown>> = {}): Markup {
    return new Markup(this.env.render(`${name}.njk`, toTemplateVars(vars) as object));
  }

  /** Render anything a handler can return as content. */
  renderable(r: Renderable): Markup {
    if (r instanceof Markup) return r;
    if (isList(r)) return new Markup(r.map((x) => this.renderable(x).html).join('\n'));
    if ('text' in r) return new Markup(escapeHtml(r.text));
    return this.render(r.template, r.vars ?? {});
  }
}

function isList(r: Renderable): r is readonly Renderable[] {
  return Array.isArray(r);
}

/** Markup anywhere in template variables becomes a nunjucks SafeString; everything else stays as is (and is escaped on output). */
function toTemplateVars(v: unknown): unknown {
  if (v instanceof Markup) return new nunjucks.runtime.SafeString(v.html);
  if (Array.isArray(v)) return v.map(toTemplateVars);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toTemplateVars(x)]));
  }
  return v;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
