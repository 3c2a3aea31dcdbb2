import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createApp } from '../../../core/http/app.js';
import { listen, type Running } from '../../../core/http/server.js';
import type { SitePool } from '../../../core/http/site-pool.js';
import { enableModules } from '../../../core/modules/lifecycle.js';
import type { Site } from '../../../core/site/site.js';
import { installTestSite, makeCodebase, type Driver, type TestCodebase } from '../../harness/codebase.js';

/** One HTTP answer, body as text. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How to reach a server: a TCP port on 127.0.0.1 or a unix socket. */
export type Target = { readonly port: number } | { readonly socket: string };

/** Options of one request. */
export interface RequestOptions {
  /** Form fields (urlencoded; an array repeats the key) or a raw body. */
  readonly form?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Send no cookies from the jar (default: send them). */
  readonly noCookies?: boolean;
}

/** Encode form fields as application/x-www-form-urlencoded. */
export function encodeForm(form: Readonly<Record<string, string | readonly string[]>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of typeof v === 'string' ? [v] : v) q.append(k, x);
  return q.toString();
}

/**
 * A tiny browser for tests: raw paths (no URL normalisation, so `..` reaches
 * the server as sent), a Host header per client, a cookie jar, no redirects
 * followed, a fresh connection per request.
 */
export class Client {
  /** Cookies by name. */
  readonly jar = new Map<string, string>();

  constructor(readonly target: Target, readonly host = 'site.test') {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { host: this.host, ...opts.headers };
    let body: string | Buffer | undefined = opts.body;
    if (opts.form) {
      body = encodeForm(opts.form);
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding')) headers['content-length'] = String(Buffer.byteLength(body));
    if (!opts.noCookies && this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const reply = await rawRequest(this.target, method, path, headers, body);
    this.store(reply.headers['set-cookie'] ?? []);
    return reply;
  }

  get(path: string, opts: RequestOptions = {}): Promise<Reply> {
    return this.request('GET', path, opts);
  }

  post(path: string, form: Readonly<Record<string, string | readonly string[]>>, opts: RequestOptions = {}): Promise<Reply> {
    return this.request('POST', path, { ...opts, form });
  }

  /** GET a form page and POST fields with its CSRF token (override `_token` in `fields` to forge one). */
  async submit(path: string, fields: Readonly<Record<string, string | readonly string[]>>): Promise<Reply> {
    const token = csrfToken((await this.get(path)).body);
    return this.post(path, { _token: token, ...fields });
  }

  private store(lines: readonly string[]): void {
    for (const line of lines) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.jar.delete(name); else this.jar.set(name, value);
    }
  }
}

/** One request over a fresh connection. */
export function rawRequest(target: Target, method: string, path: string, headers: Readonly<Record<string, string>>, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      ...('port' in target ? { host: '127.0.0.1', port: target.port } : { socketPath: target.socket }),
      method, path, headers, agent: false, setHost: false,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer (413) before it read the whole body; the answer is what counts.
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The CSRF token of the (first) form in a page. */
export function csrfToken(html: string): string {
  const m = /name="_token" value="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form token in the page: ${html.slice(0, 300)}`);
  return m[1]!;
}

/** The text of the <title> element. */
export function titleOf(html: string): string | undefined {
  return /<title>([\s\S]*?)<\/title>/.exec(html)?.[1]?.trim();
}

/** The text of the first <h1> element. */
export function h1Of(html: string): string | undefined {
  return /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1]?.replace(/<[^>]*>/g, '').trim();
}

/** The <input>/<textarea>/<select> tag (opening tag only) of a field by name. */
export function fieldTag(html: string, name: string): string | undefined {
  return new RegExp(`<(?:input|textarea|select)\\b[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
}

/** A served codebase: an app with its own site pool on a loopback port. */
export interface Served {
  readonly running: Running;
  readonly pool: SitePool;
  readonly port: number;
  client(host?: string): Client;
  stop(): Promise<void>;
}

/** Serve a test codebase on 127.0.0.1 with a port of the system's choice. */
export async function serve(tc: TestCodebase): Promise<Served> {
  const { app, pool } = createApp({ codebase: tc.codebase, logger: tc.logger });
  const running = await listen(app, { port: 0, host: '127.0.0.1' });
  const port = Number(new URL(running.where).port);
  return {
    running, pool, port,
    client: (host = 'site.test') => new Client({ port }, host),
    async stop() {
      await running.stop(1000);
      await pool.closeAll();
    },
  };
}

/** A test codebase with themes and a site (default site.test) with the webtest module enabled. */
export interface WebSite {
  readonly tc: TestCodebase;
  readonly site: Site;
}

/** Install a site with the webtest fixture on a fresh test codebase (or an existing one). */
export async function webSite(driver: Driver, opts: { tc?: TestCodebase; siteDir?: string } = {}): Promise<WebSite> {
  const tc = opts.tc ?? makeCodebase();
  const site = await installTestSite(tc, driver, opts.siteDir ? { siteDir: opts.siteDir } : {});
  await enableModules(site, ['webtest']);
  return { tc, site };
}

/** The headers every response must carry, and the one it must not. */
export function securityHeaderProblems(r: Reply): string[] {
  const problems: string[] = [];
  const csp = String(r.headers['content-security-policy'] ?? '');
  if (!/default-src 'self'/.test(csp) || !/script-src 'self'/.test(csp) || !/frame-ancestors 'none'/.test(csp)) problems.push(`content-security-policy: "${csp}"`);
  if (r.headers['x-content-type-options'] !== 'nosniff') problems.push('x-content-type-options');
  if (r.headers['x-frame-options'] !== 'DENY') problems.push('x-frame-options');
  if (!r.headers['referrer-policy']) problems.push('referrer-policy');
  if (r.headers['x-powered-by'] !== undefined) problems.push('x-powered-by is present');
  return problems;
}

/** A link of a page: where it goes, its text, and whether it is marked as the current page. */
export interface PageLink {
  readonly href: string;
  readonly text: string;
  readonly current: boolean;
}

/** Every <a href> of a page, whatever the order of its attributes. */
export function linksOf(html: string): PageLink[] {
  const out: PageLink[] = [];
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/g)) {
    const href = /\bhref="([^"]*)"/.exec(m[1]!)?.[1];
    if (href === undefined) continue;
    out.push({ href, text: m[2]!.replace(/<[^>]*>/g, '').trim(), current: /\baria-current="page"/.test(m[1]!) });
  }
  return out;
}

/** A form control of a page: its tag, its attributes (true for bare ones), and for textarea/select what is inside. */
export interface Control {
  readonly tag: 'input' | 'textarea' | 'select';
  readonly attrs: Readonly<Record<string, string | true>>;
  readonly inner: string;
}

/** Every control of a page named `name`, in page order. */
export function controls(html: string, name: string): Control[] {
  const out: Control[] = [];
  for (const m of html.matchAll(/<(input|textarea|select)\b((?:[^>"]|"[^"]*")*)>/g)) {
    const attrs: Record<string, string | true> = {};
    for (const a of m[2]!.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) attrs[a[1]!] = a[2] ?? true;
    if (attrs.name !== name) continue;
    const tag = m[1] as Control['tag'];
    let inner = '';
    if (tag !== 'input') {
      const start = m.index + m[0].length;
      inner = html.slice(start, html.indexOf(`</${tag}>`, start));
    }
    out.push({ tag, attrs, inner });
  }
  return out;
}
