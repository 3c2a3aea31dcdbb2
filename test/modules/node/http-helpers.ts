import { expect } from 'chai';
import type { SiteContext } from '../../../core/site/context.js';
import { createUser } from '../../../modules/user/accounts.js';
import { createRole, grantPermissions } from '../../../modules/user/roles.js';
import { serveSite, type Fields, type HttpClient, type ServedSite } from '../../harness/http.js';

/** The password of the accounts these tests create. */
export const PASS = 'Node-Test-Pass-1234';

/** Serve a testing site with node and node_probe (and `modules`; sqlite), anonymous visitors allowed 'access content' unless told otherwise. */
export async function serveProbe(opts: { anonymousContent?: boolean; modules?: readonly string[] } = {}): Promise<ServedSite> {
  const s = await serveSite({ modules: ['node_probe', ...(opts.modules ?? [])] });
  if (opts.anonymousContent !== false) await grantPermissions(s.site, 'anonymous', ['access content']);
  return s;
}

/** An account with a role of its own holding exactly these permissions (and 'authenticated'); returns its uid. */
export async function userWith(site: SiteContext, name: string, permissions: readonly string[]): Promise<number> {
  const rid = `r_${name.toLowerCase().replace(/[^a-z0-9]/g, '_')}`;
  await createRole(site, { rid, label: `Role of ${name}` });
  await grantPermissions(site, rid, permissions);
  return createUser(site, { name, mail: `${name}@site.test`, password: PASS, roles: [rid] });
}

/** Log a browser in through the login form. */
export async function logIn(client: HttpClient, name: string, pass = PASS): Promise<void> {
  const r = await client.postForm('/user/login', { name, pass });
  expect(r.status, `login as ${name}: ${r.body.slice(0, 300)}`).to.equal(303);
}

/** A browser logged in as user 1. */
export async function adminClient(s: ServedSite): Promise<HttpClient> {
  const c = s.client();
  await logIn(c, s.adminName, s.adminPass);
  return c;
}

/** Valid fields of the probe node form, changed by `over`. */
export function probeFields(over: Record<string, string> = {}): Fields {
  return { title: 'A probe', code: 'c1', body: '', mail: '', count: '', color: '', status: '1', ...over };
}

/** The nid a redirect to a node page names. */
export function nidOf(location: string | undefined): number {
  const m = /^\/node\/(\d+)$/.exec(location ?? '');
  expect(m, `expected a redirect to a node, got ${location}`).to.not.equal(null);
  return Number(m![1]);
}

/** The value attribute of the input named `name` in a page. */
export function inputValue(html: string, name: string): string | undefined {
  return new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1];
}

/** The text of the error shown at a form field (without the words only screen readers get), if any. */
export function fieldError(html: string, formId: string, field: string): string | undefined {
  const id = `edit-${formId}-${field}`.replace(/[^a-z0-9-]/gi, '-');
  return new RegExp(`id="${id}-error"[^>]*>([\\s\\S]*?)</div>`).exec(html)?.[1]
    ?.replace(/<span class="visually-hidden">[^<]*<\/span>/g, '').replace(/<[^>]*>/g, '').trim();
}
