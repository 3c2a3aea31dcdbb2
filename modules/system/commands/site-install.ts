import { randomBytes } from 'node:crypto';
import { defineCommand } from '../../../core/cli/command.js';
import { parseDbUrl } from '../../../core/database/db-url.js';
import type { Json } from '../../../core/config/config-store.js';
import { AegirError, describe } from '../../../core/errors/aegir-error.js';
import { installSite } from '../../../core/site/install.js';
import { isSiteDirName } from '../../../core/settings/sites-json.js';
import { parseSiteAddress, siteDirFor } from '../../../core/settings/uri.js';
import { moduleRows, type ModuleRow } from '../module-rows.js';

const MAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$/;
const ACCOUNT = /^[\p{L}\p{N} ._@+-]{1,60}$/u;

/** `aegir site-install [profile]`: install a new site in this codebase. */
export const siteInstall = defineCommand({
  name: 'site-install',
  aliases: ['si'],
  description: 'Install a site: create its folder, database and settings, install the profile and create the admin account.',
  arguments: [{ name: 'profile', description: 'Install profile (default: standard)' }],
  options: {
    'db-url': { type: 'string', description: 'Database: sqlite:[path] or mysql://user@host[:port]/database', valueName: 'URL', default: 'sqlite:' },
    'db-pass': { type: 'string', description: 'Password of the database user (kept out of the URL)', secret: true, envVar: 'AEGIR_DB_PASS' },
    'account-name': { type: 'string', description: 'Name of the admin account (user 1)', default: 'admin', validate: (v: string) => (ACCOUNT.test(v) ? undefined : 'use 1 to 60 letters, digits, spaces and ._@+-') },
    'account-mail': { type: 'string', description: 'E-mail of the admin account (default: admin@<site host>)', validate: (v: string) => (MAIL.test(v) ? undefined : 'it is not an e-mail address') },
    'account-pass': { type: 'string', description: 'Password of the admin account (default: a random one, printed once)', secret: true, envVar: 'AEGIR_ACCOUNT_PASS' },
    'site-name': { type: 'string', description: 'Name of the site (default: its address)', validate: (v: string) => (v.length <= 128 ? undefined : 'at most 128 characters') },
    'site-mail': { type: 'string', description: 'Sender address of site mail (default: the account e-mail)', validate: (v: string) => (MAIL.test(v) ? undefined : 'it is not an e-mail address') },
    'sites-subdir': { type: 'string', description: 'Folder under sites/ (default: derived from --uri)', validate: (v: string) => (isSiteDirName(v) ? undefined : 'not a folder name under sites/') },
    force: { type: 'boolean', description: 'Install over an installed site (the old database is kept until the new site is complete)' },
  },
  bootstrap: 'site',
  examples: [
    'aegir site-install minimal --uri=example.test',
    'aegir site-install standard --uri=example.test --db-url=mysql://example@127.0.0.1/example --db-pass-file=-',
  ],
  async run(ctx) {
    const profile = (ctx.args.profile as string | undefined) ?? 'standard';
    const uri = ctx.uri;
    const address = uri === 'default' ? undefined : parseSiteAddress(uri);
    const siteDir = ctx.options['sites-subdir'] ?? (ctx.siteDir !== 'default' ? ctx.siteDir : address ? siteDirFor(address) : 'default');
    let database = parseDbUrl(ctx.options['db-url']);
    if (database.driver === 'mysql') {
      if (database.password && !ctx.options['db-pass']) {
        ctx.logger.warning('The database password in --db-url is visible to other users of this machine; prefer --db-pass-file=PATH or $AEGIR_DB_PASS.');
      }
      if (ctx.options['db-pass'] !== undefined) database = { ...database, password: ctx.options['db-pass'] };
      ctx.logger.redact(database.password);
    }
    const host = address?.host ?? 'localhost';
    const accountMail = ctx.options['account-mail'] ?? `admin@${host}`;
    if (!MAIL.test(accountMail)) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'account-mail', command: 'site-install', problem: `"${accountMail}" is not an e-mail address; give --account-mail` });
    const generated = ctx.options['account-pass'] === undefined;
    const pass = ctx.options['account-pass'] ?? randomBytes(12).toString('base64url');
    ctx.logger.redact(pass);
    if (pass.length < 8) throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'account-pass', command: 'site-install', problem: 'use at least 8 characters' });

    // A site booted for this command holds the database open; --force replaces it.
    await ctx.site?.close();
    const site = await installSite({
      codebase: ctx.codebase,
      siteDir,
      database,
      force: ctx.options.force,
      logger: ctx.logger,
      input: {
        profile,
        siteName: ctx.options['site-name'] ?? host,
        siteMail: ctx.options['site-mail'] ?? accountMail,
        account: { name: ctx.options['account-name'], mail: accountMail, pass },
      },
    });
    // The new site's enabled modules as pm-list reports them, for whoever installs through this command (provision's
    // install records them without starting pm-list). The site is installed either way: a listing that fails is a warning.
    let modules: ModuleRow[] | undefined;
    try {
      modules = await moduleRows(ctx, site, { status: 'enabled' });
    } catch (e) {
      ctx.logger.warning(`The new site's modules could not be listed: ${describe(e)}`);
    }
    await site.close();
    const text = `Installed sites/${siteDir} with profile ${profile}.\nAdmin account: ${ctx.options['account-name']}${generated ? `\nAdmin password (shown once): ${pass}` : ''}\n`;
    return { text, data: { site: siteDir, profile, account: ctx.options['account-name'], passwordGenerated: generated, ...(modules ? { modules: modules as unknown as Json } : {}) } };
  },
});
