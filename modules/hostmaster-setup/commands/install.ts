import { aegirHome } from '../../../core/cli/aliases.js';
import { defineCommand } from '../../../core/cli/command.js';
import { defaultAnswers, type HostmasterAnswers } from '../answers.js';
import { installHostmaster } from '../install.js';

const HOST = (v: string): string | undefined => (/^[A-Za-z0-9.-]{1,253}$/.test(v) ? undefined : 'give a host name');

/** "k=v,k=v" into settings (numbers typed). */
function settingsOf(text: string | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    const v = pair.slice(at + 1);
    out[pair.slice(0, at)] = /^\d{1,9}$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** `aegir hostmaster-install`: install the hostmaster unattended, every answer an option. */
export const hostmasterInstall = defineCommand({
  name: 'hostmaster-install',
  description: 'Install the hostmaster on this codebase without questions: the hostmaster site, this machine as its server and this codebase as its platform, verified through the queue; prints a one-time login link.',
  bootstrap: 'root',
  options: {
    domain: { type: 'string', description: 'The hostmaster\'s address (its folder under sites/)', default: 'localhost', validate: HOST },
    http: { type: 'string', description: 'Web server for the sites of this machine', choices: ['builtin', 'nginx', 'apache'], default: 'builtin' },
    'http-port': { type: 'integer', description: 'Its port (builtin: 8888; nginx and Apache: usually 80)', min: 1, max: 65535 },
    'http-settings': { type: 'string', description: 'More web server settings as k=v,k=v (nginx/apache: confDir, binary, ...)', validate: (v: string) => (/^([a-zA-Z][a-zA-Z0-9]{0,40}=[^,=\s]{1,500})(,[a-zA-Z][a-zA-Z0-9]{0,40}=[^,=\s]{1,500})*$/.test(v) ? undefined : 'use k=v pairs separated by commas') },
    db: { type: 'string', description: 'Database service of this machine for its sites', choices: ['sqlite', 'mysql'], default: 'sqlite' },
    'db-host': { type: 'string', description: 'MySQL/MariaDB host', default: '127.0.0.1', validate: HOST },
    'db-port': { type: 'integer', description: 'MySQL/MariaDB port', default: 3306, min: 1, max: 65535 },
    'db-admin-user': { type: 'string', description: 'MySQL/MariaDB account that may create databases and users', default: 'root' },
    'db-admin-pass': { type: 'string', description: 'Its password (kept by the back end as a secret)', secret: true, envVar: 'AEGIR_DB_ADMIN_PASS' },
    'account-name': { type: 'string', description: 'Name of the first administrator', default: 'admin' },
    'account-mail': { type: 'string', description: 'Their e-mail address', default: 'admin@localhost.localdomain' },
  },
  examples: [
    'aegir hostmaster-install',
    'aegir hostmaster-install --domain=aegir.example.com --http=nginx --http-port=80 --db=mysql --db-admin-pass-file=/root/mysql.pass',
  ],
  async run(ctx) {
    const o = ctx.options;
    const home = aegirHome(ctx.env);
    const answers: HostmasterAnswers = {
      ...defaultAnswers(home), uri: o.domain.toLowerCase(), http: o.http as HostmasterAnswers['http'], httpPort: o['http-port'] ?? (o.http === 'builtin' ? 8888 : 80),
      httpSettings: settingsOf(o['http-settings']), db: o.db as HostmasterAnswers['db'], dbHost: o['db-host'], dbPort: o['db-port'], dbAdminUser: o['db-admin-user'],
      dbAdminPass: o['db-admin-pass'] ?? '', accountName: o['account-name'], accountMail: o['account-mail'],
    };
    const done = await installHostmaster(ctx.codebase, answers, ctx.logger, { step: (title) => ctx.logger.info(title) });
    ctx.logger.success(`The hostmaster is installed at ${done.url} (${(done.elapsedMs / 1000).toFixed(1)} s). Start it with "npm start" (aegir hostmaster-start).`);
    return { data: { url: done.url, login: done.loginUrl, elapsedMs: done.elapsedMs }, text: `Log in (once, within 24 hours): ${done.loginUrl}\n` };
  },
});
