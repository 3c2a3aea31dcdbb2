import { escapeHtml as e } from '../../../core/theme/renderable.js';
import type { AnswerProblems, HostmasterAnswers } from '../answers.js';
import type { Environment } from '../detect.js';

/** A whole wizard page in the admin theme's look (its stylesheets are served from the codebase). */
function layout(title: string, body: string, opts: { script?: boolean } = {}): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${e(title)} | Aegir setup</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/themes/base/assets/components.css"><link rel="stylesheet" href="/themes/admin/assets/admin.css"><link rel="stylesheet" href="/themes/admin/assets/components-admin.css">
${opts.script ? '<script src="/setup/wizard.js" defer></script>' : ''}</head>
<body class="admin"><header class="toolbar"><div class="toolbar__bar"><span class="toolbar__site"><span class="toolbar__mark" aria-hidden="true"></span><span class="toolbar__site-name">Aegir setup</span></span></div></header>
<main id="main" class="page"><div class="page__head"><h1 class="page__title">${e(title)}</h1></div><div class="page__content">${body}</div></main></body></html>`;
}

const error = (text: string | undefined): string => (text ? `<div class="form-item__error" role="alert">${e(text)}</div>` : '');

/** The first page: the setup token the console printed. */
export function tokenPage(problem?: string): string {
  return layout('Set up this hostmaster', `
<p>To prove you run this machine, type the setup token that <code>npm start</code> printed on its console.</p>
${problem ? `<div class="messages messages--error" role="alert"><p>${e(problem)}</p></div>` : ''}
<form method="post" action="/setup/token" class="form">
  <div class="form-item form-item--text"><label for="token">Setup token</label>
  <input type="text" id="token" name="token" required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" autofocus></div>
  <div class="form-actions"><button type="submit" class="button button--primary">Continue</button></div>
</form>`);
}

function field(name: string, label: string, input: string, problems: AnswerProblems, help = ''): string {
  return `<div class="form-item${problems[name] ? ' has-error' : ''}"><label for="${name}">${e(label)}</label>${input}${error(problems[name])}${help ? `<div class="form-item__description">${e(help)}</div>` : ''}</div>`;
}

const text = (name: string, value: string | number, extra = ''): string => `<input type="text" id="${name}" name="${name}" value="${e(String(value))}" ${extra}>`;

/** The answers form: what could not be detected, with the detected defaults filled in and each problem at its field. */
export function answersPage(a: HostmasterAnswers, env: Environment, csrf: string, problems: AnswerProblems = {}): string {
  const servers = env.webServers.map((w) => `<option value="${w.type}"${w.type === a.http ? ' selected' : ''}>${w.type === 'builtin' ? 'Built-in proxy (no setup)' : `${w.type} (${e(w.program ?? '')})`}</option>`).join('');
  return layout('Set up this hostmaster', `
<p>Found on ${e(env.hostname)}: web servers ${e(env.webServers.map((w) => w.type).join(', '))}; ${env.mysqlClient ? 'MySQL/MariaDB client tools' : 'no MySQL/MariaDB client tools (SQLite only)'}; ${env.git ? 'git' : 'no git (platforms from folders only)'}.</p>
${problems[''] ? `<div class="messages messages--error" role="alert"><p>${e(problems[''])}</p></div>` : ''}
<form method="post" action="/setup/install" class="form">
  <input type="hidden" name="csrf" value="${e(csrf)}">
  ${field('uri', 'Address of the hostmaster', text('uri', a.uri, 'required maxlength="253"'), problems, 'localhost works at once; sites can then be named site.localhost.')}
  ${field('http', 'Web server', `<select id="http" name="http">${servers}</select>`, problems)}
  ${field('http_port', 'Its port', text('http_port', a.httpPort, 'inputmode="numeric" maxlength="5"'), problems)}
  ${field('http_settings', 'More web server settings (nginx, Apache)', text('http_settings', Object.entries(a.httpSettings).map(([k, v]) => `${k}=${v}`).join(','), 'maxlength="1000"'), problems, 'k=v,k=v such as confDir=/var/aegir/nginx.')}
  ${field('db', 'Databases of sites', `<select id="db" name="db"><option value="sqlite"${a.db === 'sqlite' ? ' selected' : ''}>SQLite files (no setup)</option><option value="mysql"${a.db === 'mysql' ? ' selected' : ''}>MySQL or MariaDB</option></select>`, problems)}
  ${field('db_host', 'MySQL host', text('db_host', a.dbHost, 'maxlength="253"'), problems)}
  ${field('db_port', 'MySQL port', text('db_port', a.dbPort, 'inputmode="numeric" maxlength="5"'), problems)}
  ${field('db_admin_user', 'MySQL admin account', text('db_admin_user', a.dbAdminUser, 'maxlength="32"'), problems, 'An account that may create databases and users.')}
  ${field('db_admin_pass', 'Its password', '<input type="password" id="db_admin_pass" name="db_admin_pass" autocomplete="off" maxlength="1024">', problems, 'Kept by the back end as a secret file; never stored in the hostmaster.')}
  ${field('account_name', 'Your user name', text('account_name', a.accountName, 'required maxlength="60"'), problems)}
  ${field('account_mail', 'Your e-mail address', `<input type="email" id="account_mail" name="account_mail" value="${e(a.accountMail)}" required maxlength="254">`, problems)}
  ${field('home', 'Back-end folder', text('home', a.home, 'readonly'), problems, 'Set AEGIR_HOME before npm start to choose another.')}
  <div class="form-actions"><button type="submit" class="button button--primary">Install</button></div>
</form>`);
}

/** The progress page: the steps so far; wizard.js follows the install to its end and opens the login link. */
export function progressPage(steps: readonly string[], loginUrl: string | undefined, failed: string | undefined): string {
  return layout('Installing the hostmaster', `
<ol class="task-log" data-setup-progress="/setup/progress.json">${steps.map((s) => `<li class="log-line log-line--info">${e(s)}</li>`).join('')}</ol>
${failed ? `<div class="messages messages--error" role="alert"><p>${e(failed)}</p><p><a href="/">Change the answers</a></p></div>` : ''}
${loginUrl ? `<p data-login-link="${e(loginUrl)}">When the install ends, this link logs you in (once): <a href="${e(loginUrl)}">${e(loginUrl)}</a></p>` : '<p>Starting…</p>'}
<noscript><p>Reload this page to follow the install.</p></noscript>`, { script: true });
}
