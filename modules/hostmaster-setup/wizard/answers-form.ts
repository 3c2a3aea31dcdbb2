import type { HostmasterAnswers } from '../answers.js';

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v.trim().slice(0, max) : '');
const int = (v: unknown): number => (typeof v === 'string' && /^\d{1,5}$/.test(v.trim()) ? Number(v.trim()) : NaN);

/** "k=v,k=v" typed on the form into settings; pairs that are not k=v are left out (the back end checks the rest). */
function settings(text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-zA-Z][a-zA-Z0-9]{0,40})=([^,=\s]{1,500})$/.exec(pair);
    if (m) out[m[1]!] = /^\d{1,9}$/.test(m[2]!) ? Number(m[2]) : m[2]!;
  }
  return out;
}

/**
 * The wizard's form as answers: typed values where given, the defaults
 * otherwise; out-of-range values are kept as they are (NaN ports, unknown
 * choices fall back) so that checkAnswers names them at their field. The
 * back-end folder is never taken from the form.
 */
export function answersFrom(body: Readonly<Record<string, unknown>>, d: HostmasterAnswers): HostmasterAnswers {
  const http = body.http === 'nginx' || body.http === 'apache' || body.http === 'builtin' ? body.http : d.http;
  return {
    ...d,
    uri: str(body.uri, 253).toLowerCase() || d.uri,
    http,
    httpPort: body.http_port === undefined || body.http_port === '' ? d.httpPort : int(body.http_port),
    httpSettings: settings(str(body.http_settings, 2000)),
    db: body.db === 'mysql' ? 'mysql' : 'sqlite',
    dbHost: str(body.db_host, 253) || d.dbHost,
    dbPort: body.db_port === undefined || body.db_port === '' ? d.dbPort : int(body.db_port),
    dbAdminUser: str(body.db_admin_user, 64) || d.dbAdminUser,
    dbAdminPass: typeof body.db_admin_pass === 'string' ? body.db_admin_pass.slice(0, 1024) : '',
    accountName: str(body.account_name, 60),
    accountMail: str(body.account_mail, 254),
  };
}
