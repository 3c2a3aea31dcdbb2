import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Executor } from '../executor/types.js';

/** One entry of a folder tree, by its path relative to the tree's root. */
export interface TreeEntry {
  readonly path: string;
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly size: number;
  readonly mtimeMs: number;
  /** Target of a symlink. */
  readonly link?: string;
}

/** How to reach the files: Node's fs and crypto on this machine, or commands (`find`, `sha256sum`) through the executor. */
export interface TreeOptions {
  /** Use commands even on a local executor (tests of the remote path). */
  readonly commands?: boolean;
}

const viaNode = (exec: Executor, o: TreeOptions): boolean => exec.local && !o.commands;

/** sha256 of a string, hex (for symlink targets). */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function walkLocal(root: string, rel: string, out: TreeEntry[]): Promise<void> {
  const names = (await readdir(posix.join(root, rel))).sort();
  for (const name of names) {
    const path = rel ? `${rel}/${name}` : name;
    const st = await lstat(posix.join(root, path));
    const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other';
    out.push({ path, type, size: type === 'file' ? st.size : 0, mtimeMs: st.mtimeMs, ...(type === 'link' ? { link: await readlink(posix.join(root, path)) } : {}) });
    if (type === 'dir') await walkLocal(root, path, out);
  }
}

/**
 * Every entry under `root` (not root itself), parents before their
 * children, sorted by name within a folder. Symlinks are listed, never
 * followed.
 */
export async function listTree(exec: Executor, root: string, o: TreeOptions = {}): Promise<TreeEntry[]> {
  if (viaNode(exec, o)) {
    const out: TreeEntry[] = [];
    await walkLocal(root, '', out);
    return out;
  }
  // Five NUL-terminated fields per entry: names may hold anything but NUL.
  const { stdout } = await exec.run(['find', root, '-mindepth', '1', '-printf', '%y\\0%s\\0%T@\\0%l\\0%P\\0'], { timeoutMs: 10 * 60_000 });
  const f = stdout.split('\0');
  const out: TreeEntry[] = [];
  for (let i = 0; i + 4 < f.length; i += 5) {
    const y = f[i]!;
    const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'link' : 'other';
    out.push({ path: f[i + 4]!, type, size: type === 'file' ? Number(f[i + 1]) : 0, mtimeMs: Math.round(Number(f[i + 2]) * 1000), ...(type === 'link' ? { link: f[i + 3]! } : {}) });
  }
  // find lists in directory order; sort so that both paths agree (a parent still sorts before its children).
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function hashLocal(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1 << 20 }).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * sha256 of files under `root` by relative path. Locally with Node's crypto
 * (OpenSSL, about twice as fast as coreutils' sha256sum here), four files at
 * a time; otherwise `sha256sum -z` in batches through the executor.
 */
export async function hashFiles(exec: Executor, root: string, paths: readonly string[], o: TreeOptions = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (viaNode(exec, o)) {
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(4, paths.length) }, async () => {
      while (next < paths.length) {
        const p = paths[next++]!;
        out.set(p, await hashLocal(posix.join(root, p)));
      }
    }));
    return out;
  }
  for (let i = 0; i < paths.length; i += 500) {
    const batch = paths.slice(i, i + 500);
    // -z: NUL-terminated lines and no escaping of odd names; "./" keeps a name starting with "-" a path.
    const { stdout } = await exec.run(['sha256sum', '-z', '--', ...batch.map((p) => `./${p}`)], { cwd: root, timeoutMs: 30 * 60_000 });
    for (const line of stdout.split('\0')) {
      if (line.length < 67) continue;
      out.set(line.slice(66).replace(/^\.\//, ''), line.slice(0, 64));
    }
  }
  return out;
}

/**
 * Why an entry of a site's folder tree (paths relative to the folder) is
 * unsafe to back up, restore or move, if it is: anything but a plain file,
 * folder or symlink (a device, a socket, a pipe), and a symlink that is
 * absolute or leads out of the folder (once served or restored it would
 * expose whatever it points at, and an absolute one breaks when the site
 * moves). Links inside the folder are fine.
 */
export function unsafeEntry(e: TreeEntry): string | undefined {
  if (e.type === 'other') return 'is not a file, folder or symlink';
  if (e.type !== 'link') return undefined;
  const target = e.link ?? '';
  if (target.startsWith('/')) return `is a symlink to the absolute path ${target.slice(0, 200)}`;
  const resolved = posix.normalize(posix.join(posix.dirname(e.path), target));
  if (resolved === '..' || resolved.startsWith('../')) return `is a symlink out of the site's folder (to ${target.slice(0, 200)})`;
  return undefined;
}

/** The first unsafe entry of a tree (see unsafeEntry), as a problem text that starts with its path. */
export function firstUnsafe(entries: readonly TreeEntry[]): string | undefined {
  for (const e of entries) {
    const p = unsafeEntry(e);
    if (p) return `${e.path} ${p}`;
  }
  return undefined;
}
