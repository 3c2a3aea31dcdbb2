import type { NodeDraft, NodeFieldError } from '../../node/types.js';
import { isDomain, pathProblem } from '../../provision/api.js';

const MACHINE = /^[a-z][a-z0-9_]{0,63}$/;
const SETTINGS = /^([a-z][a-zA-Z0-9]{0,40}=[A-Za-z0-9._/:@+= -]{0,500})(,[a-z][a-zA-Z0-9]{0,40}=[A-Za-z0-9._/:@+= -]{0,500})*$/;
const GIT_URL = /^(?:https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~/-]+|git@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+|\/[A-Za-z0-9._/-]+)$/;
const GIT_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

/** The aliases of a site as typed (one per line or comma-separated), lower case, without empty lines and repeats; a line with a space in it stays one (invalid) alias. */
export function aliasesOf(text: unknown): string[] {
  return [...new Set(String(text ?? '').split(/[\r\n,]+/).map((a) => a.trim().toLowerCase()).filter(Boolean))];
}

/**
 * What the back end would refuse in a hosting node, checked before the
 * node is saved so that the form names the field (the same rules as
 * provision's contexts: names, domains, paths, git URLs, settings that
 * reach config files and commands).
 */
export function checkObjectDraft(d: NodeDraft): NodeFieldError[] {
  const errors: NodeFieldError[] = [];
  const f = d.fields;
  const bad = (field: string, message: string): void => { errors.push({ field, message }); };
  if (d.type === 'server') {
    if (!/^server_[a-z0-9_]{1,60}$/.test(String(f.context ?? ''))) bad('context', 'The machine name must be server_ followed by lower case letters, digits and "_".');
    const host = String(f.host ?? '');
    if (host !== 'localhost' && !isDomain(host) && !/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) bad('host', `"${host.slice(0, 80)}" is not a host name or IPv4 address.`);
    if (host !== 'localhost' && !f.ssh_user) bad('ssh_user', 'A server other than localhost is reached over SSH: give its SSH user.');
    if (f.ssh_user && !/^[a-z_][a-z0-9_-]{0,31}$/.test(String(f.ssh_user))) bad('ssh_user', 'The SSH user must be a Unix user name.');
    for (const kind of ['http', 'db', 'app'] as const) {
      const t = String(f[kind] ?? '');
      if (t && !MACHINE.test(t)) bad(kind, `"${t.slice(0, 40)}" is not a service type name.`);
      const s = String(f[`${kind}_settings`] ?? '');
      if (s && !SETTINGS.test(s)) bad(`${kind}_settings`, 'Settings are k=v pairs separated by commas; values take letters, digits and . _ / : @ + = - and spaces.');
      if (s && !t) bad(`${kind}_settings`, 'Settings need a service type.');
    }
  }
  if (d.type === 'platform') {
    if (!/^platform_[a-z0-9_]{1,60}$/.test(String(f.context ?? ''))) bad('context', 'The machine name must be platform_ followed by lower case letters, digits and "_".');
    const p = pathProblem(String(f.root ?? ''));
    if (p) bad('root', `The path ${p}.`);
    if (f.git_url && !GIT_URL.test(String(f.git_url))) bad('git_url', 'The git repository must be an https:// or git@host: URL, or an absolute path.');
    if (f.git_ref && !GIT_REF.test(String(f.git_ref))) bad('git_ref', 'The git ref must be a branch, tag or commit name.');
  }
  if (d.type === 'site') {
    const domain = d.title.trim().toLowerCase();
    if (!isDomain(domain)) bad('title', `"${d.title.slice(0, 80)}" is not a domain name (RFC 1123: letters, digits and "-" in dot-separated labels, lower case).`);
    for (const a of aliasesOf(f.aliases)) {
      if (!isDomain(a)) bad('aliases', `"${a.slice(0, 80)}" is not a domain name.`);
      else if (a === domain) bad('aliases', 'The site\'s domain cannot also be one of its aliases.');
    }
    if (!MACHINE.test(String(f.profile ?? ''))) bad('profile', 'The install profile must be a machine name (lower case letters, digits and "_").');
  }
  return errors;
}
