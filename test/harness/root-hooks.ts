import { stopMariadb } from './mariadb.js';

/** How long the run may take to end by itself after the last test. */
const DRAIN_MS = 15_000;

/**
 * Stop the servers this run started, after the last test. Then, when the
 * process has not ended by itself a while later, something a test started
 * (a database pool, a server, a timer, a child process) was never closed:
 * name what is still open and fail the run, rather than hang it.
 */
export const mochaHooks = {
  async afterAll(this: unknown): Promise<void> {
    await stopMariadb();
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
      process.stderr.write(`\nThe run did not end ${DRAIN_MS / 1000} s after its last test: something a test started was never closed (still open: ${open.join(', ') || 'nothing node reports'}).\n`);
      // Mocha sets the exit code from its failures in an exit listener; this one comes after it.
      process.on('exit', () => { process.exitCode = 1; });
      process.exit(1);
    }, DRAIN_MS).unref();
  },
};
