import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import type { Kernel } from '../../core/kernel/kernel.js';
import { escapeHtml, Markup, type Renderable } from '../../core/theme/renderable.js';
import { chainStylesheets, type ThemeRenderer } from '../../core/theme/renderer.js';
import { themeChain, type ThemeInfo } from '../../core/theme/themes.js';

/**
 * Renders nunjucks templates for one theme of one kernel. Templates are
 * looked up in the theme, then its base themes, then each enabled module's
 * templates/ folder (later modules first, so a module can override one it
 * depends on; this module's own fallback templates come last, as it is one
 * of the first modules). Autoescaping is on: only Markup passes unescaped.
 */
export class NunjucksRenderer implements ThemeRenderer {
  private readonly env: nunjucks.Environment;
  readonly stylesheets: readonly string[];

  constructor(readonly theme: ThemeInfo, themes: ReadonlyMap<string, ThemeInfo>, kernel: Kernel) {
    const paths = [
      ...themeChain(themes, theme.name).map((t) => join(t.dir, 'templates')),
      ...[...kernel.modules].reverse().map((m) => join(m.dir, 'templates')),
    ].filter((p) => existsSync(p));
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(paths, { noCache: false, watch: false }), {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
    });
    this.stylesheets = chainStylesheets(themes, theme.name);
  }

  render(name: string, vars: Readonly<Record<string, unknown>> = {}): Markup {
    return new Markup(this.env.render(`${name}.njk`, toTemplateVars(vars) as object));
  }

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
