/**
 * HTTP test helper: serve an installed test site on loopback and talk to it
 * like a browser that follows no redirects.
 *
 *     const s = await serveSite({ driver: 'sqlite' });      // installs sites/site.test (profile testing)
 *     const browser = s.client();                            // its own cookie jar
 *     await browser.postForm('/user/login', { name: 'admin', pass: s.adminPass });
 *     const r = await browser.get('/admin/people');          // r.status, r.body, r.location
 *     await s.stop();                                        // server, site pool, site and temp codebase
 *
 * Requests go to 127.0.0.1 with the Host header of the site (core chooses
 * the site by Host). They are made with node:http rather than fetch, since
 * fetch replaces the Host header with the address it connects to. Nothing is
 * followed: a redirect is a reply with `status` 302/303 and `location`.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { createApp } from '../../core/http/app.js';
import { listen, type Running } from '../../core/http/server.js';
import type { SitePool } from '../../core/http/site-pool.js';
import { enableModules } from '../../core/modules/lifecycle.js';
import type { Site } from '../../core/site/site.js';
import { installTestSite, makeCodebase, REPO, type Driver, type TestCodebase } from './codebase.js';

/** Form fields: a value, or several for checkboxes (the key repeats). */
export type Fields = Readonly<Record<string, string | readonly string[]>>;

/** One answer. */
export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The Location header of a redirect. */
  readonly location: string | undefined;
}

/** Options of one request. */
export interface HttpOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Send no cookies (default: the jar's). */
  readonly noCookies?: boolean;
}

/** Encode fields as application/x-www-form-urlencoded. */
export function encodeFields(fields: Fields): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of typeof v === 'string' ? [v] : v) q.append(k, x);
  return q.toString();
}

/**
 * The CSRF token (`_token` hidden input) of a form in a page: the form with
 * `id="formId"` when given, else the first form. Throws when there is none.
 */
export function formToken(html: string, formId?: string): string {
  const scope = formId ? new RegExp(`<form\\b[^>]*\\bid="${formId}"[\\s\\S]*?</form>`).exec(html)?.[0] : html;
  const m = scope && /<input type="hidden" name="_token" value="([^"]+)"/.exec(scope);
  if (!m) throw new Error(`no form${formId ? ` "${formId}"` : ''} with a token in the page: ${html.slice(0, 400)}`);
  return m[1]!;
}

/**
 * Messages shown on a page: the text of each `messages--TYPE` box (a form's
 * error summary is one too), without the visually hidden headings.
 */
export function messagesOf(html: string, type: 'status' | 'warning' | 'error' = 'status'): string[] {
  return [...html.matchAll(new RegExp(`<div class="messages messages--${type}[^"]*"[^>]*>([\\s\\S]*?)</div>`, 'g'))]
    .map((m) => m[1]!.replace(/<(\w+)\b[^>]*class="[^"]*visually-hidden[^"]*"[^>]*>[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim());
}

/**
 * A browser without JavaScript: a cookie jar (cookies by name; a cookie set
 * with Max-Age=0 or an empty value is dropped), a Host header, raw paths,
 * a fresh connection per request, redirects not followed.
 */
export class HttpClient {
  /** Cookies by name, as the server set them. */
  readonly jar = new Map<string, string>();

  constructor(readonly port: number, readonly host = 'site.test') {}

  async request(method: 'GET' | 'POST' | 'HEAD', path: string, body?: string, opts: HttpOptions = {}): Promise<HttpReply> {
    const headers: Record<string, string> = { host: this.host, ...opts.headers };
    if (body !== undefined) {
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (!opts.noCookies && this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const reply = await new Promise<HttpReply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: false, setHost: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolve({
          status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'),
          location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
        }));
      });
      req.on('error', reject);
      req.end(body);
    });
    this.store(reply.headers['set-cookie'] ?? []);
    return reply;
  }

  get(path: string, opts?: HttpOptions): Promise<HttpReply> {
    return this.request('GET', path, undefined, opts);
  }

  /** POST fields as they are: no token is added (use it to forge or omit `_token`). */
  post(path: string, fields: Fields, opts?: HttpOptions): Promise<HttpReply> {
    return this.request('POST', path, encodeFields(fields), opts);
  }

  /**
   * Submit a form like a browser: GET the page (`from`, default `path`),
   * read the form's `_token` (of `formId` when given), POST the fields with it.
   * A `_token` in `fields` replaces the real one.
   */
  async postForm(path: string, fields: Fields, opts: { from?: string; formId?: string } = {}): Promise<HttpReply> {
    const page = await this.get(opts.from ?? path);
    if (page.status !== 200) throw new Error(`GET ${opts.from ?? path} answered ${page.status}, not a form: ${page.body.slice(0, 300)}`);
    return this.post(path, { _token: formToken(page.body, opts.formId), ...fields });
  }

  /** The session cookie's value (the site's `aegir_…` cookie), if any. */
  session(): string | undefined {
    return [...this.jar].find(([k]) => k.startsWith('aegir_'))?.[1];
  }

  private store(lines: readonly string[]): void {
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
}

/** Link the repository's themes into a test codebase (makeCodebase links only core, modules and profiles). */
export function linkThemes(tc: TestCodebase): void {
  if (!existsSync(join(tc.root, 'themes'))) symlinkSync(join(REPO, 'themes'), join(tc.root, 'themes'));
}

/** The admin password of sites installed by installTestSite. */
export const ADMIN_PASS = 'correct horse battery';

/** A served test site. */
export interface ServedSite {
  readonly tc: TestCodebase;
  /** The site as booted for the test (its own connection; the server has another in its pool). */
  readonly site: Site;
  readonly running: Running;
  readonly pool: SitePool;
  readonly port: number;
  /** The site's host name (its folder under sites/). */
  readonly host: string;
  /** user 1's name and password. */
  readonly adminName: string;
  readonly adminPass: string;
  /** A new browser with an empty cookie jar. */
  client(): HttpClient;
  /** Stop the server, close the site connections and remove the codebase (unless it was given). */
  stop(): Promise<void>;
}

/** What serveSite needs; all optional. */
export interface ServeOptions {
  /** Database driver (default sqlite). */
  readonly driver?: Driver;
  /** Install profile (default testing: system, user, alpha). */
  readonly profile?: string;
  /** Site folder and host name (default site.test). */
  readonly siteDir?: string;
  /** Modules to enable after install. */
  readonly modules?: readonly string[];
  /** A codebase to use (kept on stop); default a fresh one from makeCodebase. */
  readonly tc?: TestCodebase;
}

/**
 * Install a site in a test codebase (with the themes linked) and serve it
 * with createApp + listen on 127.0.0.1, port 0 (the system's choice).
 */
export async function serveSite(opts: ServeOptions = {}): Promise<ServedSite> {
  const tc = opts.tc ?? makeCodebase();
  linkThemes(tc);
  const host = opts.siteDir ?? 'site.test';
  const site = await installTestSite(tc, opts.driver ?? 'sqlite', { siteDir: host, ...(opts.profile ? { profile: opts.profile } : {}) });
  if (opts.modules?.length) await enableModules(site, opts.modules);
  const { app, pool } = createApp({ codebase: tc.codebase, logger: tc.logger });
  const running = await listen(app, { port: 0, host: '127.0.0.1' });
  const port = Number(new URL(running.where).port);
  return {
    tc, site, running, pool, port, host, adminName: 'admin', adminPass: ADMIN_PASS,
    client: () => new HttpClient(port, host),
    async stop() {
      await running.stop(1000);
      await pool.closeAll();
      await site.close();
      if (!opts.tc) tc.cleanup();
    },
  };
}
