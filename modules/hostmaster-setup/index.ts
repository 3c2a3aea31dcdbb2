import { defineModule } from '../../core/modules/definition.js';
import { hostmasterInstall } from './commands/install.js';
import { hostmasterStart } from './commands/start.js';

/**
 * The hostmaster's installer and starter, for the command line with or
 * without a site: `aegir hostmaster-install` (unattended) and `aegir
 * hostmaster-start` (the first-run wizard, then the supervisor of the
 * hostmaster and its sites on this machine). The site itself is the
 * hostmaster profile (profiles/hostmaster).
 */
export default defineModule({
  register(api) {
    api.on('cli.commands', (add) => { add(hostmasterInstall); add(hostmasterStart); });
  },
});
