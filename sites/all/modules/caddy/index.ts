import { defineModule } from '../../../../core/modules/definition.js';
import type {} from '../../../../modules/provision/hooks.js';
import { caddyHttp } from './caddy.js';

/** Caddy: the `caddy` http service a server can run (`http: caddy` on the server form). */
export default defineModule({
  register(api) {
    api.on('provision.services', (add) => add(caddyHttp(api.dir)));
  },
});
