import { PassThrough } from 'node:stream';
import type { Executor } from './types.js';

/**
 * Pipe one command's standard output into another's standard input, each on
 * its own server (`tar -c` on the source, `tar -x` on the target): the bytes
 * stream through the back end without landing on its disk. When either side
 * fails, the other is stopped and the first failure is thrown.
 */
export async function pipeBetween(
  from: { exec: Executor; argv: readonly string[] },
  to: { exec: Executor; argv: readonly string[] },
  timeoutMs = 60 * 60_000,
): Promise<void> {
  const pass = new PassThrough();
  const stop = new AbortController();
  const failFirst = (e: unknown): never => {
    stop.abort(e);
    pass.destroy();
    throw e;
  };
  const sending = from.exec.run(from.argv, { stdout: pass, signal: stop.signal, timeoutMs })
    .then(() => { pass.end(); }, failFirst);
  const receiving = to.exec.run(to.argv, { input: pass, signal: stop.signal, timeoutMs }).catch(failFirst);
  const results = await Promise.allSettled([sending, receiving]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw stop.signal.aborted && stop.signal.reason !== undefined ? stop.signal.reason : failed.reason;
}

/**
 * Make folder `to` a copy of folder `from` on one server. With rsync (the
 * usual case) only what changed since an earlier copy is copied and what
 * is gone is removed; without it the copy is made again from scratch.
 */
export async function syncFolder(exec: Executor, from: string, to: string, timeoutMs = 60 * 60_000): Promise<void> {
  const rsync = await exec.run(['rsync', '--version']).then(() => true, () => false);
  if (rsync) {
    await exec.run(['rsync', '-a', '--delete', '--', `${from}/`, `${to}/`], { timeoutMs });
    return;
  }
  await exec.remove(to);
  await exec.run(['cp', '-a', '--', from, to], { timeoutMs });
}
