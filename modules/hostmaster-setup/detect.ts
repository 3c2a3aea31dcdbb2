import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { findProgram } from '../../core/util/exec.js';

/** The web servers the hostmaster can put in front of its sites. */
export type WebServer = 'builtin' | 'nginx' | 'apache';

/** What the machine offers, found without asking anyone. */
export interface Environment {
  /** The machine's host name (for the notes; the hostmaster's own address defaults to localhost). */
  readonly hostname: string;
  /** The web servers found: the builtin proxy always; nginx and Apache when their programs are installed. */
  readonly webServers: readonly { readonly type: WebServer; readonly program: string | undefined }[];
  /** The MariaDB/MySQL client tools, needed for sites on a MySQL server. */
  readonly mysqlClient: string | undefined;
  /** git, needed for platforms built from a repository. */
  readonly git: string | undefined;
}

/** Look at the machine: host name, web servers, database and git tools on PATH. */
export async function detectEnvironment(): Promise<Environment> {
  const [nginx, apache, mysql, git] = await Promise.all([
    findProgram(['nginx']), findProgram(['apache2', 'httpd']), findProgram(['mariadb', 'mysql']), findProgram(['git']),
  ]);
  return {
    hostname: hostname(),
    webServers: [
      { type: 'builtin', program: undefined },
      ...(nginx ? [{ type: 'nginx' as const, program: nginx }] : []),
      ...(apache ? [{ type: 'apache' as const, program: apache }] : []),
    ],
    mysqlClient: mysql,
    git,
  };
}

/** Why a TCP port on an address cannot be listened on (in use, not allowed), or undefined when it is free. */
export function portProblem(port: number, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => {
      resolve(e.code === 'EADDRINUSE' ? `port ${port} is in use by another program` : e.code === 'EACCES' ? `this user may not listen on port ${port} (ports below 1024 need privileges)` : `port ${port} cannot be used (${e.code ?? e.message})`);
    });
    s.listen(port, host, () => s.close(() => resolve(undefined)));
  });
}

/** Why a folder cannot hold the hostmaster's files (not writable, a file), or undefined; it is made when missing and its parent is writable. */
export function folderProblem(path: string): string | undefined {
  try {
    if (existsSync(path)) {
      if (!statSync(path).isDirectory()) return `${path} is a file, not a folder`;
      accessSync(path, constants.W_OK | constants.X_OK);
      return undefined;
    }
    let parent = dirname(path);
    while (!existsSync(parent)) parent = dirname(parent);
    accessSync(parent, constants.W_OK | constants.X_OK);
    return undefined;
  } catch {
    return `${path} cannot be written by this user`;
  }
}

/** Make a folder the hostmaster keeps private files in (mode 0700 when new). */
export function ensureFolder(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}
