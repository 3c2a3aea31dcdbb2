import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sep } from 'node:path';
import type { Request, Response } from 'express';

/**
 * Serve a site's public files from `root` for a request whose URL is the
 * path inside it (`/a/b.png`): dotfiles denied, no folder indexes, and
 * never a file outside `root`, even through a symlink (a link to
 * /etc/passwd or a folder linked out of it answers 404: a restored
 * backup or a careless upload must not turn the files folder into a view
 * of the whole machine). `notFound` answers everything that is not served.
 */
export function serveSiteFiles(root: string, req: Request, res: Response, notFound: () => void): void {
  let path: string;
  try {
    path = decodeURIComponent((req.url.split('?')[0] ?? '/'));
  } catch {
    return notFound();
  }
  if (path.includes('\0')) return notFound();
  try {
    const realRoot = realpathSync(root);
    const real = realpathSync(`${root}/${path}`);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return notFound();
  } catch {
    // Missing (or unreadable): the static handler answers 404 on its own terms.
  }
  staticFiles().static(root, { dotfiles: 'deny', index: false, fallthrough: false })(req, res, () => notFound());
}

const requireHere = createRequire(import.meta.url);
let express: typeof import('express') | undefined;

/**
 * express, loaded when the first file is served rather than when the
 * command line starts: the program leaves it out of its bundle, and most
 * commands never serve a file.
 */
function staticFiles(): typeof import('express') {
  express ??= requireHere('express') as typeof import('express');
  return express;
}
