import { join } from 'node:path';
import type { ServiceEnv } from '../types.js';

/**
 * The lock file of a server's web config in the back end's home: every
 * change to the server's virtual hosts or routes, with its test and reload,
 * is made holding it (see withHostMutex), from whichever task process.
 */
export function httpLockFile(env: ServiceEnv): string {
  return join(env.home, 'locks', `http-${env.server.name}.lock`);
}
