import { stopMariadb } from './mariadb.js';

/** Stop the servers this run started, after the last test. */
export const mochaHooks = {
  async afterAll(this: unknown): Promise<void> {
    await stopMariadb();
  },
};
