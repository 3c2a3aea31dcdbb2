import { defineModule } from '../../core/modules/definition.js';
import type {} from '../system/hooks.js';
import { vcsVersions } from './versions.js';

/**
 * vcs_deploy, the cvs_deploy of this framework: versions from git where
 * module.json says nothing exact. A global module, so that every command
 * line of a codebase that has it (platform-info on a platform verify,
 * pm-list of a site) reports them, with or without a site.
 */
export default defineModule({
  register(api) {
    api.on('system.versions', vcsVersions);
  },
});
