/**
 * HTML that is safe to output as is: only the theme engine makes it, from
 * templates with autoescaping. Handlers never build it from strings, so user
 * text cannot become markup.
 */
export class Markup {
  /** @internal use the theme engine or `text()` */
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** What a page's content can be: a template with variables, escaped text, markup from the engine, or a list of these. */
export type Renderable =
  | { readonly template: string; readonly vars?: Readonly<Record<string, unknown>> }
  | { readonly text: string }
  | Markup
  | readonly Renderable[];

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A template to render with variables (escaped by default). */
export function template(name: string, vars: Readonly<Record<string, unknown>> = {}): Renderable {
  return { template: name, vars };
}
