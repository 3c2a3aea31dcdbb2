import type { Kernel } from '../kernel/kernel.js';
import type { Markup, Renderable } from './renderable.js';
import { themeChain, type ThemeInfo } from './themes.js';

/** Renders templates for one theme of one kernel; made by a theme engine. */
export interface ThemeRenderer {
  readonly theme: ThemeInfo;
  /** Stylesheet URLs of the theme chain, base theme first. */
  readonly stylesheets: readonly string[];
  /** Render a template by name (without extension) with variables; text in variables is escaped, Markup is not. */
  render(name: string, vars?: Readonly<Record<string, unknown>>): Markup;
  /** Render anything a handler can return as content. */
  renderable(content: Renderable): Markup;
}

/** What a theme engine gets to make a renderer. */
export interface RendererInput {
  readonly theme: ThemeInfo;
  readonly themes: ReadonlyMap<string, ThemeInfo>;
  /** Enabled modules, whose templates/ folders the engine searches (later modules first). */
  readonly kernel: Kernel;
  readonly root: string;
}

/** A theme engine, registered by a module through 'theme.engines' and chosen by a theme's "engine" key. */
export interface ThemeEngineFactory {
  /** The name themes use in theme.json ("nunjucks"). */
  readonly name: string;
  /** Make a renderer (may load the engine's library on first use). */
  create(input: RendererInput): ThemeRenderer | Promise<ThemeRenderer>;
}

/** Stylesheet URLs of a theme and its base themes, base first. */
export function chainStylesheets(themes: ReadonlyMap<string, ThemeInfo>, theme: string): string[] {
  return [...themeChain(themes, theme)].reverse().flatMap((t) => t.stylesheets.map((s) => `/themes/${t.name}/assets/${s}`));
}
