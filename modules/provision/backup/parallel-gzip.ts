import type { FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * A writable that gzips what it gets into a file on all cores, the way
 * pigz does: the stream is cut into blocks of `blockBytes`, each block is
 * compressed on its own in libuv's thread pool, and the results are written
 * in order as consecutive gzip members. A file of several members is one
 * valid gzip stream (RFC 1952, 2.2): gzip, tar -z and every other reader
 * read it whole. Ends (`end()`) once every block is written.
 */
export class ParallelGzipFile extends Writable {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly queue: Promise<Buffer>[] = [];

  constructor(
    private readonly file: FileHandle,
    private readonly level: number,
    private readonly blockBytes = 4 << 20,
    private readonly parallel = Math.max(2, availableParallelism()),
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.blockBytes) return done();
    this.dispatch();
    // Back-pressure: take more input only while fewer than `parallel` blocks are being compressed.
    this.flushTo(this.parallel).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    if (this.pendingBytes) this.dispatch();
    this.flushTo(0).then(() => done(), done);
  }

  private dispatch(): void {
    const block = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const compressed = gzipAsync(block, { level: this.level });
    // Awaited in order below; marked handled now so that a failure waits its turn without an unhandled rejection.
    compressed.catch(() => undefined);
    this.queue.push(compressed);
  }

  private async flushTo(left: number): Promise<void> {
    while (this.queue.length > left) {
      const out = await this.queue.shift()!;
      let at = 0;
      while (at < out.length) at += (await this.file.write(out, at)).bytesWritten;
    }
  }
}
