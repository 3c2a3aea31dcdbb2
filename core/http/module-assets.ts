import { join } from 'node:path';
import type { Request, Response } from 'express';
import type { Site } from '../site/site.js';
import { serveSiteFiles } from './site-files.js';

const ASSET_PATH = /^\/modules\/([a-z][a-z0-9_]{0,63})\/assets(\/.*)$/;

/**
 * Serve `/modules/<name>/assets/<file>` from the `assets/` folder of a
 * module enabled on the site (a module's own scripts and styles, such as
 * the hosting module's live task log). Only enabled modules, only their
 * assets folder, never a file outside it (the site files' rules: no
 * dotfiles, no indexes, no link out). Returns false when the path is not
 * an asset path of an enabled module, so the request goes on to routing.
 */
export function serveModuleAsset(site: Site, req: Request, res: Response, notFound: () => void): boolean {
  const m = ASSET_PATH.exec(req.path);
  if (!m) return false;
  const module = site.kernel.modules.find((x) => x.name === m[1]);
  if (!module) return false;
  res.setHeader('Cache-Control', 'public, max-age=3600');
  const inner = Object.assign(req, { url: m[2]! });
  serveSiteFiles(join(module.dir, 'assets'), inner, res, notFound);
  return true;
}

/** The path of a module's asset (for 'http.page' scripts). */
export function moduleAssetPath(module: string, file: string): string {
  return `/modules/${module}/assets/${file}`;
}
