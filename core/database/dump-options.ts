import type { Writable } from 'node:stream';

/** How far a dump has got: reported after each chunk of rows it has written. */
export interface DumpProgress {
  /** The table being dumped. */
  readonly table: string;
  /** Rows of that table written so far. */
  readonly rows: number;
}

/** Options of the dumps this framework writes itself (SQLite's SQL dump and the portable dump). */
export interface DumpOptions {
  /**
   * Called after each chunk of rows (at most DUMP_CHUNK_ROWS, and the last
   * of each table) has been written, and awaited before the dump reads on;
   * a rejection stops the dump with that error. It runs while the dump's
   * snapshot is open: for progress logging, and for tests that write to the
   * live database in the middle of a dump. Not called by mysqldump, which
   * writes the SQL dump of a MySQL site.
   */
  readonly onProgress?: (progress: DumpProgress) => void | Promise<void>;
}

/** Rows per chunk of a dump (see DumpOptions.onProgress); the portable dump's rows lines hold as many. */
export const DUMP_CHUNK_ROWS = 500;

/** A writer for `out` that waits when the stream asks it to (backpressure). */
export function writerFor(out: Writable): (s: string) => Promise<void> {
  return (s) => new Promise((resolve) => (out.write(s) ? resolve() : out.once('drain', () => resolve())));
}
