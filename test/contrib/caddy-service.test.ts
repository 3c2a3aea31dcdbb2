/**
 * The caddy contrib module (sites/all/modules/caddy) as an http service,
 * against a real Caddy on loopback: the same behaviour the shipped nginx
 * and Apache services show (proxying by Host to a unix socket and a port,
 * aliases, redirection, the disabled page, removal, hostile input refused,
 * a failing config check keeping the previous config, reloads that drop no
 * request, start=1).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caddyHttp } from '../../sites/all/modules/caddy/caddy.js';
import { caddyServer } from '../harness/caddy.js';
import { webServerSuite } from '../modules/provision/http/suite.js';

const DIR = join(fileURLToPath(new URL('../../sites/all/modules/caddy', import.meta.url)));

describe('contrib caddy: the http service (real Caddy 2 on loopback)', () => {
  webServerSuite(caddyHttp(DIR), caddyServer);
});
