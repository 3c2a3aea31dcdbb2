import type { Request, Response } from 'express';
import type { Json } from '../config/config-store.js';
import type { FormDefinition } from '../forms/types.js';
import type { Markup, Renderable } from '../theme/renderable.js';
import type { Site } from '../site/site.js';
import type { Session } from './session.js';

/** The user a request runs as. The user module provides real accounts; without it every request is anonymous. */
export interface Account {
  /** 0 for anonymous. */
  readonly uid: number;
  readonly name: string;
  /** Role machine names, including `anonymous` or `authenticated`. */
  readonly roles: readonly string[];
  readonly anonymous: boolean;
  /** Whether the account has a permission (user 1 has every permission). */
  hasPermission(permission: string): boolean;
}

/** The account of a request nobody is logged in to. */
export const ANONYMOUS: Account = Object.freeze({
  uid: 0, name: 'Anonymous', roles: ['anonymous'], anonymous: true, hasPermission: () => false,
});

/** Who may use a route. */
export type RouteAccess =
  | { readonly public: true }
  | { readonly permission: string }
  | { readonly authenticated: true }
  | { readonly anonymousOnly: true }
  | { readonly check: (ctx: RequestContext) => boolean | Promise<boolean> };

/** A status message shown once on the next page. */
export interface Message {
  readonly type: 'status' | 'warning' | 'error';
  readonly text: string;
}

/** What a route handler gets for one request. */
export interface RequestContext {
  readonly site: Site;
  readonly req: Request;
  readonly res: Response;
  readonly account: Account;
  readonly session: Session;
  readonly route: RouteDefinition;
  /** Path parameters after their loaders ran (`nid` → the node). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Raw path parameters as strings. */
  readonly rawParams: Readonly<Record<string, string>>;
  /** The first value of each query parameter. */
  readonly query: Readonly<Record<string, string>>;
  /** Queue a status message for the next page shown to this visitor. */
  message(type: Message['type'], text: string): void;
  /** Render content with the theme of this page (for markup inside other content). */
  render(content: Renderable): Markup;
  /** The path of a named route with its parameters filled in (escaped). */
  url(routeName: string, params?: Readonly<Record<string, string | number>>): string;
}

/** A page to wrap in the theme. */
export interface PageResult {
  readonly kind: 'page';
  readonly title: string;
  readonly content: Renderable;
  readonly status?: number;
}

/** What a handler returns. */
export type HandlerResult =
  | PageResult
  | { readonly kind: 'redirect'; readonly to: string; readonly status?: 302 | 303 }
  | { readonly kind: 'json'; readonly data: Json; readonly status?: number }
  | { readonly kind: 'done' };

/** A route: path, title, access, and either a handler or a form. */
export interface RouteDefinition {
  /** Machine name, unique per site (`node.edit`). */
  readonly name: string;
  /** Path with `:param` placeholders (`/node/:nid/edit`). */
  readonly path: string;
  readonly title: string | ((ctx: RequestContext) => string);
  readonly access: RouteAccess;
  /** Loaders for path parameters by name (`{ nid: 'node' }`); an unknown value is a 404. */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Which theme renders it: the admin theme for admin pages (default: admin
   * when the path starts with /admin). A function decides once the path
   * parameters are loaded and access is granted (a node page in the admin
   * theme for some node types); error pages before that use the default.
   */
  readonly theme?: 'admin' | 'front' | ((ctx: RequestContext) => 'admin' | 'front');
  /** A link in a menu. */
  readonly menu?: { readonly menu: 'admin' | 'main' | 'account'; readonly title?: string; readonly weight?: number };
  /** A tab on the page of another route (its name). */
  readonly tab?: { readonly base: string; readonly title: string; readonly weight?: number };
  /** Handles GET (and POST when `methods` says so). */
  readonly handler?: (ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;
  /** A form page: GET shows it, POST validates and submits it. */
  readonly form?: (ctx: RequestContext) => FormDefinition | Promise<FormDefinition>;
  /** Path parameters that are secrets (one-time login hashes): shown as *** in the request log. */
  readonly secretParams?: readonly string[];
  /** Title of this route's own tab when other routes declare tabs on it (default View). */
  readonly tabTitle?: string;
  /** Methods the handler accepts (default GET; forms always GET and POST). */
  readonly methods?: readonly ('GET' | 'POST')[];
}

/** Loads the object a path parameter names, or undefined for a 404. */
export interface ParamLoader {
  readonly name: string;
  load(value: string, ctx: { readonly site: Site; readonly account: Account }): Promise<unknown> | unknown;
}

/** An expected HTTP failure: shown as a themed error page, never with a stack trace. */
export class HttpError extends Error {
  constructor(readonly status: 400 | 403 | 404 | 405 | 413 | 422 | 429 | 503, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Whether a value is an HttpError. Checks shape rather than the class, as
 * isAegirError does: a module loaded from another copy of core (a source
 * module beside a compiled core, a codebase reached through symlinks)
 * throws its own copy of the class.
 */
export function isHttpError(e: unknown): e is HttpError {
  return e instanceof Error && e.name === 'HttpError' && typeof (e as { status?: unknown }).status === 'number';
}

/** A page result. */
export function page(title: string, content: Renderable, status?: number): PageResult {
  return { kind: 'page', title, content, ...(status ? { status } : {}) };
}

/** A redirect (303 after a POST so the browser follows with GET). */
export function redirect(to: string, status: 302 | 303 = 303): HandlerResult {
  return { kind: 'redirect', to, status };
}

/** Throw to show the 404 page. */
export function notFound(what = 'The page you asked for does not exist.'): never {
  throw new HttpError(404, what);
}

/** Throw to show the 403 page. */
export function forbidden(what = 'You are not allowed to see this page.'): never {
  throw new HttpError(403, what);
}
