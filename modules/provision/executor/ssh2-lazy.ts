import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

let loaded: typeof Ssh2 | undefined;

/**
 * The ssh2 package, loaded on first use. Most commands never open an SSH
 * connection, and loading ssh2 (its crypto, parsers and agent code) costs
 * about 50 ms of every command line's start, which the queue pays for each
 * back-end process it spawns. In the command-line bundle `require` is the
 * bundle's own; from TypeScript sources (tests, tsx) it is made here.
 */
export function ssh2(): typeof Ssh2 {
  if (!loaded) {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    loaded = req('ssh2') as typeof Ssh2;
  }
  return loaded;
}
