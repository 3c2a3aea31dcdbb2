import { expect } from 'chai';
import { createUser } from '../../../modules/user/accounts.js';
import type { SiteContext } from '../../../core/site/context.js';
import type { HttpClient, HttpReply } from '../../harness/http.js';

/** The password of every account these tests create. */
export const PASS = 'Secret-Pass-1234';

/** Create an active account named `name` (mail name@site.test) with the given roles; returns its uid. */
export function account(site: SiteContext, name: string, roles: readonly string[] = [], status = 1): Promise<number> {
  return createUser(site, { name, mail: `${name.replace(/[^a-z0-9.-]/gi, '')}@site.test`, password: PASS, roles, status });
}

/** Log a browser in through the login form; expects the redirect of a successful login. */
export async function login(client: HttpClient, name: string, pass = PASS, path = '/user/login'): Promise<HttpReply> {
  const r = await client.postForm(path, { name, pass });
  expect(r.status, `login as ${name}: ${r.body.slice(0, 500)}`).to.equal(303);
  return r;
}

/** The uid a browser's session belongs to, as /user tells it (0 when anonymous). */
export async function whoAmI(client: HttpClient): Promise<number> {
  const r = await client.get('/user');
  expect(r.status).to.equal(302);
  const m = /^\/user\/(\d+)$/.exec(r.location ?? '');
  return m ? Number(m[1]) : 0;
}
