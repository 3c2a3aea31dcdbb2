import { join } from 'node:path';
import * as cookie from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createHash } from 'node:crypto';
import { AegirError, isAegirError } from '../errors/aegir-error.js';
import { hostHeaderProblem } from '../settings/uri.js';
import type { Logger } from '../logger/logger.js';
import type { Codebase } from '../site/codebase.js';
import type { Site } from '../site/site.js';
import { handleForm } from '../forms/handle.js';
import type { Renderable } from '../theme/renderable.js';
import type { PageAttachments } from '../hooks/core-hooks.js';
import { checkAccess } from './access.js';
import { engineFor, menus, renderPage, tabs } from './page.js';
import { routeTable, type RegisteredRoute } from './routes.js';
import { cacheHeaders, securityHeaders } from './security-headers.js';
import { serveModuleAsset } from './module-assets.js';
import { serveSiteFiles } from './site-files.js';
import { Session, SESSION_IDLE_MS } from './session.js';
import { isNoSite, SitePool } from './site-pool.js';
import { ANONYMOUS, HttpError, isHttpError, type Account, type HandlerResult, type RequestContext } from './types.js';
import { template } from '../theme/renderable.js';

/** Largest form body accepted; larger ones get a 413 page. */
export const BODY_LIMIT = '256kb';

/** What the app serves and logs. */
export interface AppOptions {
  readonly codebase: Codebase;
  readonly logger: Logger;
  /** Sites already booted elsewhere (tests); default: a pool of its own. */
  readonly pool?: SitePool;
  /**
   * Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
   * are believed (the built-in proxy, nginx). Without it the client address
   * is the connection's, so login throttling never lumps visitors together
   * nor can be fooled by a forged header.
   */
  readonly trustProxy?: readonly string[];
}

/** The site folder's cookie name: one cookie per site, so sites on one host never share a session. */
export function sessionCookieName(site: Site): string {
  return `aegir_${createHash('sha256').update(site.name).digest('hex').slice(0, 12)}`;
}

/**
 * The express application that serves every site of a codebase by host
 * name: static theme assets and the site's public files, then for each
 * request the site (Drupal's multisite lookup on the Host header), its
 * session and account, the route with its parameters loaded, the access
 * check, the handler or form, and the themed page. Errors become themed
 * 4xx/5xx pages without stack traces; every response carries security
 * headers and a Server-Timing header with the time spent.
 */
export function createApp(opts: AppOptions): { app: express.Express; pool: SitePool } {
  const { codebase, logger } = opts;
  const pool = opts.pool ?? new SitePool(codebase, logger);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (opts.trustProxy?.length) app.set('trust proxy', [...opts.trustProxy]);
  app.use((req, res, next) => {
    (res.locals as { started: bigint }).started = process.hrtime.bigint();
    securityHeaders(req, res);
    next();
  });
  // Theme assets only from each theme's assets/ folder.
  app.use('/themes/:theme/assets', (req, res, next) => {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(String(req.params.theme))) return next();
    return express.static(join(codebase.root, 'themes', String(req.params.theme), 'assets'), { fallthrough: true, dotfiles: 'deny', index: false, maxAge: '1h' })(req, res, next);
  });
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 1000 }));
  app.use((req, res, next) => { void serve(req, res, codebase, pool, logger).catch(next); });
  // Body parser failures (too large, malformed) and anything unexpected.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string };
    if (e.type === 'entity.too.large' || e.type === 'parameters.too.many') return void plain(res, 413, 'The submitted data is too large.');
    if (e.status === 415) return void plain(res, 415, 'The submitted data uses an encoding this site does not read.');
    if (e.status === 400) return void plain(res, 400, 'The request could not be read.');
    logger.error(`${req.method} ${req.originalUrl}: ${(err as Error).stack ?? String(err)}`);
    plain(res, 500, 'The server could not answer this request.');
  });
  return { app, pool };
}

function plain(res: Response, status: number, text: string): void {
  if (res.headersSent) return;
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

/** A plain-text error page that names its catalogue code (for people reporting it, and for tests). */
function coded(res: Response, status: number, e: AegirError): void {
  plain(res, status, `${e.message}\n(error code ${e.code})`);
}

async function serve(req: Request, res: Response, codebase: Codebase, pool: SitePool, logger: Logger): Promise<void> {
  const host = req.headers.host ?? '';
  // An empty Host (HTTP/1.0) means the default site; a malformed one is a 400 that says what is wrong.
  const problem = host === '' ? undefined : hostHeaderProblem(host);
  if (problem) return coded(res, 400, new AegirError('ERR_HOST_INVALID', { host: host.slice(0, 100), problem }));
  let site: Site;
  try {
    site = await pool.get(codebase.chooseSite(host).name);
  } catch (e) {
    if (isAegirError(e) && e.code === 'ERR_URI_INVALID') return coded(res, 400, new AegirError('ERR_HOST_INVALID', { host: host.slice(0, 100), problem: String(e.facts.problem) }));
    if (isNoSite(e)) return plain(res, 404, 'No site is installed at this address.');
    throw e;
  }
  // Public files of this site only.
  const files = `/sites/${site.name}/files/`;
  if (req.path.startsWith(files)) {
    return serveSiteFiles(site.paths.files, Object.assign(req, { url: req.url.slice(files.length - 1) }), res, () => plain(res, 404, 'Not found.'));
  }
  // Assets of the modules enabled on this site.
  if (req.path.startsWith('/modules/')) {
    if (serveModuleAsset(site, req, res, () => plain(res, 404, 'Not found.'))) return;
  }
  const table = routeTable(site.kernel);
  const cookieName = sessionCookieName(site);
  const session = new Session(site.db, site.settings.hashSalt, cookie.parse(req.headers.cookie ?? '')[cookieName]);
  await session.load();
  // Anonymous visitors are asked about too: their permissions come from the anonymous role.
  const account: Account = (await site.hooks.bail('http.account', { site, uid: session.uid })) ?? ANONYMOUS;
  // A session whose user is gone or blocked is ended.
  if (session.uid > 0 && account.anonymous) await session.logout();

  // "/" shows the configured front page, as if its path had been asked for.
  const front = req.path === '/' ? await site.config.get<string>('system.front_page', '/') : undefined;
  const path = front && front !== '/' ? front : req.path;
  const found = table.find(path, req.method);
  const route: RegisteredRoute | undefined = found && 'route' in found ? found.route : undefined;
  let engine = await engineFor(site, route, path);
  const rawParams = found && 'route' in found ? found.params : {};
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') query[k] = first;
  }
  const ctx: RequestContext = {
    site, req, res, account, session, rawParams, query,
    route: route?.definition ?? { name: 'system.none', path: req.path, title: '', access: { public: true }, handler: () => ({ kind: 'done' }) },
    params: {},
    message: (type, text) => session.addMessage({ type, text }),
    url: (name, params = {}) => {
      const r = table.byName.get(name);
      if (!r) throw new Error(`no route named ${name}`);
      return r.toPath(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
    },
    render: (content: Renderable) => engine.renderable(content),
  };

  let result: HandlerResult;
  let status = 200;
  try {
    if (!found) throw new HttpError(404, 'The page you asked for does not exist.');
    if ('methodNotAllowed' in found) {
      res.setHeader('Allow', found.methodNotAllowed.join(', '));
      throw new HttpError(405, 'This page does not accept that kind of request.');
    }
    const def = found.route.definition;
    const params: Record<string, unknown> = {};
    for (const [p, loaderName] of Object.entries(def.params ?? {})) {
      const value = await table.loaders.get(loaderName)!.load(rawParams[p] ?? '', { site, account });
      if (value === undefined || value === null) throw new HttpError(404, 'The page you asked for does not exist.');
      params[p] = value;
    }
    (ctx as { params: Record<string, unknown> }).params = params;
    if (!(await checkAccess(def.access, ctx))) throw new HttpError(403, 'You are not allowed to see this page.');
    if (typeof def.theme === 'function') engine = await engineFor(site, found.route, path, def.theme(ctx));
    const title = typeof def.title === 'function' ? def.title(ctx) : def.title;
    result = def.form ? await handleForm(await def.form(ctx), ctx, title) : await def.handler!(ctx);
  } catch (e) {
    if (!isHttpError(e)) {
      logger.error(`${site.name} ${req.method} ${req.originalUrl}: ${(e as Error).stack ?? String(e)}`);
    }
    status = isHttpError(e) ? e.status : 500;
    const message = isHttpError(e) ? e.message : 'The site could not answer this request. The error was logged.';
    const login = status === 403 && account.anonymous && table.byName.has('user.login')
      ? `${table.byName.get('user.login')!.definition.path}?destination=${encodeURIComponent(req.originalUrl)}` : undefined;
    result = { kind: 'page', title: errorTitle(status), content: template('error', { status, message, login }), status };
  }

  /** Persist the session and send its cookie when it changed (a page saves twice: before and after rendering). */
  const saveSession = async (): Promise<void> => {
    const cookieValue = await session.save();
    if (cookieValue === undefined || res.headersSent) return;
    res.append('Set-Cookie', cookie.serialize(cookieName, cookieValue ?? '', {
      httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure,
      maxAge: cookieValue === null ? 0 : Math.floor(SESSION_IDLE_MS / 1000),
    }));
  };
  await saveSession();
  timing(res);
  if (result.kind === 'done') return;
  // Whether the answer depends on the session; a page may still mint a token while it renders (checked again below).
  const sessionBound = (): boolean => !account.anonymous || session.active || res.getHeader('Set-Cookie') !== undefined;
  cacheHeaders(res, sessionBound());
  if (result.kind === 'redirect') {
    res.redirect(result.status ?? 303, safeRedirect(result.to));
  } else if (result.kind === 'json') {
    res.status(result.status ?? 200).json(result.data);
  } else {
    status = result.status ?? status;
    const attachments: PageAttachments = { header: [], scripts: [], stylesheets: [] };
    await site.hooks.emit('http.page', { ctx, status, attachments });
    const html = renderPage(engine, {
      title: result.title,
      content: engine.renderable(result.content),
      messages: session.takeMessages(),
      siteName: (await site.config.get<string>('system.site_name')) ?? site.name,
      account: { uid: account.uid, name: account.name, anonymous: account.anonymous },
      menus: await menus(table, ctx),
      tabs: route && status < 400 ? await tabs(table, ctx, route) : [],
      stylesheets: [...engine.stylesheets, ...attachments.stylesheets],
      header: attachments.header,
      scripts: attachments.scripts,
      path: req.path,
      status,
    });
    // Messages shown now must not show again.
    await saveSession();
    cacheHeaders(res, sessionBound());
    res.status(status).type('html').send(html);
  }
  logger.info(`${site.name} ${req.method} ${logPath(req, route, rawParams)} ${res.statusCode} ${elapsed(res)} ms`);
}

/** The path for the request log, with secret path parameters replaced by ***. */
function logPath(req: Request, route: RegisteredRoute | undefined, params: Record<string, string>): string {
  const secret = route?.definition.secretParams;
  if (!secret?.length) return req.originalUrl;
  try {
    return route!.toPath({ ...params, ...Object.fromEntries(secret.map((p) => [p, '***'])) });
  } catch {
    return req.path.replace(/[^/]+$/, '***');
  }
}

function errorTitle(status: number): string {
  return { 400: 'Bad request', 403: 'Access denied', 404: 'Page not found', 405: 'Method not allowed', 413: 'Too large', 422: 'Invalid input', 429: 'Too many requests' }[status] ?? 'Something went wrong';
}

/** Only local paths: an open redirect to another host is never followed. */
export function safeRedirect(to: string): string {
  return to.startsWith('/') && !to.startsWith('//') && !to.startsWith('/\\') ? to : '/';
}

function elapsed(res: Response): string {
  const started = (res.locals as { started?: bigint }).started;
  return started === undefined ? '?' : (Number(process.hrtime.bigint() - started) / 1e6).toFixed(1);
}

function timing(res: Response): void {
  const started = (res.locals as { started?: bigint }).started;
  if (started !== undefined && !res.headersSent) res.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(2)}`);
}
