import { AegirError } from '../../../core/errors/aegir-error.js';
import { isMachineName } from '../../../core/modules/manifest.js';
import { isHostName } from '../../../core/settings/uri.js';
import type { ContextType, PlatformContext, ProvisionContext, ServerContext, ServiceConfig, SiteProvisionContext } from './types.js';

const SERVER = /^server_[a-z0-9_]{1,60}$/;
const PLATFORM = /^platform_[a-z0-9_]{1,60}$/;
/** Paths that can go into a config file or a command without quoting surprises. */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]{0,4000}$/;
const SSH_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const GIT_URL = /^(?:https:\/\/[A-Za-z0-9.-]+(?::\d+)?\/[A-Za-z0-9._~/-]+|git@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+|\/[A-Za-z0-9._/-]+)$/;
const GIT_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;
const SETTING_TEXT = /^[A-Za-z0-9._/:@+=, -]{0,500}$/;

/** Whether a name is a site domain: RFC 1123, at most 253 characters, lower case. */
export function isDomain(name: string): boolean {
  return isHostName(name) && name === name.toLowerCase();
}

/** Whether a path is absolute and made of characters safe in config files and commands (no "..", spaces, quotes, braces). */
export function isSafePath(path: string): boolean {
  return SAFE_PATH.test(path) && !path.split('/').includes('..');
}

/** What is wrong with a path for a config file or a command, naming the offending part; undefined when it is safe. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `is not absolute (it must start with "/")`;
  if (path.length > 4001) return 'is longer than 4,000 characters';
  if (path.split('/').includes('..')) return 'has ".." as a part: give the folder itself, without ".."';
  const bad = /[^A-Za-z0-9._/-]/.exec(path);
  if (bad) return `has ${JSON.stringify(bad[0])} at position ${bad.index + 1}; only letters, digits, ".", "_", "-" and "/" are allowed`;
  return undefined;
}

/** The context type a name implies: server_*, platform_*, else a site domain; undefined if it is none. */
export function typeOfName(name: string): ContextType | undefined {
  if (SERVER.test(name)) return 'server';
  if (PLATFORM.test(name)) return 'platform';
  if (isDomain(name)) return 'site';
  return undefined;
}

/** Check a context name; ERR_CONTEXT_INVALID says what a good name looks like. */
export function checkName(name: string): ContextType {
  const t = typeOfName(name);
  if (!t) {
    throw new AegirError('ERR_CONTEXT_INVALID', {
      name: name.slice(0, 80),
      problem: 'a context name is server_<name>, platform_<name> (lower case letters, digits, "_"), or a site domain (RFC 1123, at most 253 characters)',
    });
  }
  return t;
}

/**
 * Validate a context record as read from disk or built from options: every
 * field typed and checked against injection (names, domains, paths, URLs,
 * service settings), unknown keys refused.
 */
export function parseContext(raw: unknown, expectedName?: string): ProvisionContext {
  const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : String(expectedName ?? '?');
  const bad = (problem: string): never => { throw new AegirError('ERR_CONTEXT_INVALID', { name: name.slice(0, 80), problem }); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be a JSON object');
  const c = raw as Record<string, unknown>;
  const type = checkName(name);
  if (expectedName !== undefined && name !== expectedName) bad(`its name "${name}" differs from its file name "${expectedName}"`);
  if (c.type !== type) bad(`its type must be "${type}" for a name like this`);
  const keys = (allowed: string[]): void => {
    for (const k of Object.keys(c)) if (!allowed.includes(k)) bad(`unknown key "${k}" (allowed: ${allowed.join(', ')})`);
  };
  const contextRef = (field: string, kind: 'server' | 'platform'): string => {
    const v = c[field];
    if (typeof v !== 'string' || typeOfName(v) !== kind) return bad(`"${field}" must name a ${kind} context (${kind}_<name>)`);
    return v;
  };
  if (type === 'server') {
    keys(['type', 'name', 'host', 'ssh', 'services']);
    if (typeof c.host !== 'string' || !(isHostName(c.host))) bad('"host" must be a host name or IPv4 address');
    let ssh: ServerContext['ssh'];
    if (c.ssh !== undefined) {
      const s = c.ssh as Record<string, unknown>;
      if (typeof s !== 'object' || s === null) return bad('"ssh" must be { port, user }');
      if (!Number.isInteger(s.port) || (s.port as number) < 1 || (s.port as number) > 65535) bad('"ssh.port" must be 1 to 65535');
      if (typeof s.user !== 'string' || !SSH_USER.test(s.user)) bad('"ssh.user" must be a Unix user name');
      ssh = { port: s.port as number, user: s.user as string };
    }
    if (c.host !== 'localhost' && !ssh) bad('a server other than localhost needs "ssh" settings');
    return { type, name, host: c.host as string, ssh, services: parseServices(c.services, bad) } satisfies ServerContext;
  }
  if (type === 'platform') {
    keys(['type', 'name', 'server', 'root', 'git']);
    if (typeof c.root !== 'string') bad('"root" must be an absolute path');
    const rootProblem = pathProblem(c.root as string);
    if (rootProblem) bad(`"root" ${rootProblem}`);
    let git: PlatformContext['git'];
    if (c.git !== undefined) {
      const g = c.git as Record<string, unknown>;
      if (typeof g?.url !== 'string' || !GIT_URL.test(g.url)) bad('"git.url" must be an https:// or git@host: URL or an absolute path');
      if (typeof g.ref !== 'string' || !GIT_REF.test(g.ref)) bad('"git.ref" must be a branch, tag or commit name');
      git = { url: g.url as string, ref: g.ref as string };
    }
    return { type, name, server: contextRef('server', 'server'), root: c.root as string, git } satisfies PlatformContext;
  }
  keys(['type', 'name', 'platform', 'dbServer', 'profile', 'aliases', 'redirection', 'enabled']);
  if (typeof c.profile !== 'string' || !isMachineName(c.profile)) bad('"profile" must be an install profile\'s machine name');
  const aliases = c.aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string' && isDomain(a))) bad('"aliases" must be a list of domains');
  if ((aliases as string[]).includes(name)) bad('the site\'s own domain cannot be one of its aliases');
  if (c.redirection !== undefined && typeof c.redirection !== 'boolean') bad('"redirection" must be true or false');
  if (c.enabled !== undefined && typeof c.enabled !== 'boolean') bad('"enabled" must be true or false');
  return {
    type, name, platform: contextRef('platform', 'platform'), dbServer: contextRef('dbServer', 'server'), profile: c.profile as string,
    aliases: [...new Set(aliases as string[])], redirection: (c.redirection as boolean | undefined) ?? false, enabled: (c.enabled as boolean | undefined) ?? true,
  } satisfies SiteProvisionContext;
}

function parseServices(raw: unknown, bad: (p: string) => never): Record<string, ServiceConfig> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('"services" must be an object of kind: { type, ... }');
  const out: Record<string, ServiceConfig> = {};
  for (const [kind, cfg] of Object.entries(raw)) {
    if (!['http', 'db', 'app'].includes(kind)) bad(`unknown service kind "${kind}" (http, db, app)`);
    if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) return bad(`"services.${kind}" must be an object`);
    const c = cfg as Record<string, unknown>;
    if (typeof c.type !== 'string' || !isMachineName(c.type)) bad(`"services.${kind}.type" must be an implementation name`);
    for (const [k, v] of Object.entries(c)) {
      if (!/^[a-z][a-zA-Z0-9]{0,40}$/.test(k)) bad(`"services.${kind}.${k}" is not a setting name`);
      if (typeof v === 'string' && !SETTING_TEXT.test(v)) bad(`"services.${kind}.${k}" holds characters a setting cannot have (quotes, braces, ";", line breaks)`);
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad(`"services.${kind}.${k}" must be text, a number or true/false`);
    }
    out[kind] = c as ServiceConfig;
  }
  return out;
}
