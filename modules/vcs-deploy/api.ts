/**
 * What other modules may use of vcs_deploy (the migrate check compares
 * versions with it): pure functions, no hooks, so that using them needs
 * vcs_deploy in the codebase but not enabled on the site.
 */
export { compareVersions, type VersionChange } from './compare.js';
export { vcsBuild, vcsVersion, type Described } from './describe.js';
