import { createReadStream, statSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { HttpError, type RequestContext, type RouteDefinition } from '../../../core/http/types.js';
import { DOWNLOAD_BACKUPS } from '../access/permissions.js';
import { ADMINISTER_HOSTING } from '../access/scope.js';
import { mayView } from '../access/visible.js';

interface BackupRow { bid: number; site_nid: number; file: string; host: string }

/** The backup a request names, if the account may download it (it sees the site and may download backups); else undefined. */
async function backupFor(ctx: RequestContext): Promise<BackupRow | undefined> {
  const bid = ctx.rawParams.bid ?? '';
  if (!/^[1-9][0-9]{0,9}$/.test(bid)) return undefined;
  const b = (await ctx.site.db('hosting_backup as b').join('hosting_site as s', 's.nid', 'b.site_nid').join('hosting_platform as p', 'p.nid', 's.platform_nid')
    .join('hosting_server as v', 'v.nid', 'p.server_nid').where('b.bid', Number(bid)).first('b.bid', 'b.site_nid', 'b.file', 'v.host')) as BackupRow | undefined;
  if (!b || !(await mayView(ctx.site, ctx.account, 'site', Number(b.site_nid)))) return undefined;
  return b;
}

/**
 * Download a backup archive: only for an account that sees the site and
 * may download backups (another client's backup is a 404, as a missing
 * one). The archive is streamed from this machine when the site's server
 * is this one; one on a remote server is not copied through the
 * hostmaster (its page says where it is).
 */
async function download(ctx: RequestContext): Promise<{ kind: 'done' }> {
  const b = await backupFor(ctx);
  if (!b) throw new HttpError(404, 'The page you asked for does not exist.');
  if (b.host !== 'localhost') throw new HttpError(404, `This backup is on the site's server, ${b.host}: ${b.file}. Copy it from there.`);
  let bytes: number;
  try {
    const st = statSync(b.file);
    if (!st.isFile() || !isAbsolute(b.file) || !b.file.endsWith('.tar.gz')) throw new Error('not an archive');
    bytes = st.size;
  } catch {
    throw new HttpError(404, 'The backup archive is gone from its server.');
  }
  const res = ctx.res;
  res.writeHead(200, {
    'Content-Type': 'application/gzip', 'Content-Length': String(bytes), 'Cache-Control': 'private, no-store',
    'Content-Disposition': `attachment; filename="${basename(b.file).replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  });
  await new Promise<void>((resolve) => {
    const stream = createReadStream(b.file);
    stream.on('error', () => { res.destroy(); resolve(); });
    stream.on('end', resolve);
    ctx.req.on('close', () => { stream.destroy(); resolve(); });
    stream.pipe(res);
  });
  return { kind: 'done' };
}

/** The download route of backups. */
export const backupDownloadRoute: RouteDefinition = {
  name: 'hosting.backup_download',
  path: '/hosting/backups/:bid/download',
  title: 'Download a backup',
  access: { check: (ctx) => ctx.account.hasPermission(DOWNLOAD_BACKUPS) || ctx.account.hasPermission(ADMINISTER_HOSTING) },
  handler: download,
};
