import { posix } from 'node:path';

/** Folders of the system that are never a platform's root: removing one, or writing a site into it, breaks the machine. */
const SYSTEM = new Set([
  '/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/lost+found', '/media', '/mnt', '/opt', '/proc',
  '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var',
  '/usr/bin', '/usr/include', '/usr/lib', '/usr/lib64', '/usr/libexec', '/usr/local', '/usr/local/bin', '/usr/local/lib', '/usr/local/sbin',
  '/usr/local/share', '/usr/sbin', '/usr/share', '/usr/src',
  '/var/backups', '/var/cache', '/var/lib', '/var/local', '/var/lock', '/var/log', '/var/mail', '/var/opt', '/var/run', '/var/spool', '/var/tmp', '/var/www',
]);

/** The Aegir home's own folders, where no code belongs. */
const HOME_PARTS = ['aliases', 'backups', 'contexts', 'fetched', 'keys', 'locks', 'run', 'secrets', 'tasks'];

/** Another platform, for the checks of a new root. */
export interface KnownPlatform {
  readonly name: string;
  readonly root: string;
  readonly server: string;
}

/** What a platform root is checked against. */
export interface RootChecks {
  /** The platform's server context. */
  readonly server: string;
  /** Whether that server is this machine (the Aegir home and the back end's codebase are here). */
  readonly local: boolean;
  readonly home: string;
  /** The back end's own codebase (the hostmaster's). */
  readonly codebase: string;
  /** The other platforms (any server; only those on `server` count). */
  readonly platforms: readonly KnownPlatform[];
}

const inside = (path: string, folder: string): boolean => folder === '/' ? path !== '/' : path.startsWith(`${folder}/`);

/**
 * Why a folder cannot be a platform's root, or undefined when it can: the
 * root folder, a system folder or a user's home folder; the Aegir home, a
 * folder holding it, or one of its own folders; a folder holding the
 * hostmaster's codebase; the root of another platform of the server, a
 * folder holding one, or a folder inside one. A platform built from git may
 * be deleted with its code, so each of these would put more than its code
 * at risk; the check runs when the context is saved and again before code
 * is removed.
 */
export function platformRootProblem(rootPath: string, c: RootChecks): string | undefined {
  const root = posix.normalize(rootPath).replace(/(.)\/$/, '$1');
  if (root === '/') return 'is the root folder /';
  if (SYSTEM.has(root)) return `is the system folder ${root}`;
  if (/^\/home\/[^/]+$/.test(root)) return `is the home folder of a user (${root})`;
  if (c.local) {
    const home = posix.normalize(c.home);
    if (root === home) return `is the Aegir home (${home})`;
    if (inside(home, root)) return `holds the Aegir home (${home})`;
    const part = HOME_PARTS.find((p) => root === `${home}/${p}` || inside(root, `${home}/${p}`));
    if (part) return `is inside the Aegir home's ${part}/ folder, which holds no code`;
    const codebase = posix.normalize(c.codebase);
    if (inside(codebase, root)) return `holds the hostmaster's codebase (${codebase})`;
  }
  for (const p of c.platforms) {
    if (p.server !== c.server) continue;
    const other = posix.normalize(p.root);
    if (root === other) return `is already the root of @${p.name}`;
    if (inside(other, root)) return `holds the platform @${p.name} (${other})`;
    if (inside(root, other)) return `is inside the platform @${p.name} (${other})`;
  }
  return undefined;
}
