import type { Refusal } from './sql-import-sqlite.js';

/** Words of the mysql/mariadb client's own commands (`system`, `source`, ...): never in a dump. */
const CLIENT_COMMANDS = new Set([
  'system', 'source', 'tee', 'notee', 'pager', 'nopager', 'connect', 'prompt', 'edit', 'ego', 'go', 'help',
  'quit', 'exit', 'rehash', 'status', 'warnings', 'nowarning', 'print', 'clear', 'charset',
]);
/** Statements that act on the server, its accounts or its files, not on one database's tables. */
const SERVER_STATEMENTS = new Set([
  'grant', 'revoke', 'shutdown', 'restart', 'kill', 'install', 'uninstall', 'flush', 'reset', 'purge', 'change',
  'load', 'call', 'binlog', 'backup', 'stop', 'handler',
]);

interface Token {
  readonly kind: 'word' | 'ident' | 'dq' | 'dot' | 'other';
  readonly value: string;
}

/** What the checks keep of one statement: its first tokens, the last two, and what was seen anywhere in it. */
interface Statement {
  head: Token[];
  prev: Token | undefined;
  prev2: Token | undefined;
  lastWord: string;
  problem: string | undefined;
}

const fresh = (): Statement => ({ head: [], prev: undefined, prev2: undefined, lastWord: '', problem: undefined });
const WORD = /[A-Za-z0-9_$\u0080-\uffff]+/y;

/** Index after a quoted run starting at `i` (backslash escapes and doubled quotes); -1 when it never closes. */
function quotedEnd(sql: string, i: number, q: string, backslash: boolean): number {
  for (let j = i + 1; j < sql.length; j++) {
    const c = sql.charCodeAt(j);
    if (backslash && c === 92) { j++; continue; }
    if (c === q.charCodeAt(0)) {
      if (sql[j + 1] === q) { j++; continue; }
      return j + 1;
    }
  }
  return -1;
}

/** Why a statement may not be imported, from its first tokens. */
function headProblem(head: readonly Token[], ownDb: string): string | undefined {
  const first = head[0];
  if (!first || first.kind !== 'word') return undefined;
  const words = head.filter((t) => t.kind === 'word').map((t) => t.value.toLowerCase());
  const [a = '', b = ''] = words;
  if (CLIENT_COMMANDS.has(a)) return `the client command "${a}" is not allowed in a dump`;
  if (a === 'use') {
    const target = head[1];
    return target && target.value === ownDb && head.length === 2 ? undefined : `USE of another database ("${target?.value ?? ''}") is not allowed: a dump is imported into the site's own database only`;
  }
  if (['create', 'drop', 'alter', 'rename'].includes(a) && words.some((w) => w === 'database' || w === 'schema')) return `${a.toUpperCase()} DATABASE is not allowed: a dump is imported into the site's own database only`;
  if (['create', 'drop', 'alter', 'rename'].includes(a) && words.some((w) => w === 'user' || w === 'role')) return `${a.toUpperCase()} USER/ROLE is not allowed in a dump`;
  if (SERVER_STATEMENTS.has(a)) return `${a.toUpperCase()} statements are not allowed in a dump`;
  if (a === 'start' && b !== 'transaction') return `START ${b.toUpperCase()} is not allowed in a dump`;
  if (a === 'set' && ['password', 'global', 'persist', 'persist_only', 'role', 'default'].includes(b)) return `SET ${b.toUpperCase()} is not allowed in a dump`;
  return undefined;
}

/**
 * Check a MySQL/MariaDB dump before it reaches the client, statement by
 * statement (following DELIMITER changes, with `/*! ... *\/` comments read as
 * the code they are): no client commands (`system`, `\!`, `source`), no
 * CREATE/DROP DATABASE or USE of another database, no account or server
 * statements, no files, and no name qualified by another database this
 * account can see (`other_db.t`), which `--one-database` would let through.
 * Returns the first refusal, or undefined when the dump may be imported.
 */
export function checkMysqlDump(sql: string, ownDb: string, visibleDatabases: readonly string[]): Refusal | undefined {
  const others = new Set(visibleDatabases.filter((d) => d !== ownDb && d.toLowerCase() !== 'information_schema').map((d) => d.toLowerCase()));
  let delimiter = ';';
  let number = 1;
  let st = fresh();
  let inExec = false;
  let lineStart = true;
  const refuse = (problem: string): Refusal => ({ statement: number, problem });
  const endStatement = (): Refusal | undefined => {
    const p = st.problem ?? headProblem(st.head, ownDb);
    const empty = st.head.length === 0;
    st = fresh();
    if (!empty) number++;
    return p ? refuse(p) : undefined;
  };
  const push = (t: Token): void => {
    if ((t.kind === 'word' || t.kind === 'ident' || t.kind === 'dq') && st.prev?.kind === 'dot' && st.prev2) {
      const q = st.prev2;
      const isName = q.kind === 'ident' || q.kind === 'dq' || (q.kind === 'word' && !/^\d/.test(q.value));
      if (isName && others.has(q.value.toLowerCase())) st.problem ??= `"${q.value}.${t.value}" names another database: a dump is imported into the site's own database only`;
    }
    if (t.kind === 'word') {
      const w = t.value.toLowerCase();
      if (st.lastWord === 'into' && (w === 'outfile' || w === 'dumpfile')) st.problem ??= 'SELECT ... INTO OUTFILE/DUMPFILE is not allowed in a dump';
      if (w === 'load_file') st.problem ??= 'LOAD_FILE() is not allowed in a dump';
      st.lastWord = w;
    }
    if (st.head.length < 8) st.head.push(t);
    st.prev2 = st.prev;
    st.prev = t;
  };
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (lineStart && (c === 'd' || c === 'D') && /^delimiter[ \t]/i.test(sql.slice(i, i + 10))) {
      const r = endStatement();
      if (r) return r;
      const eol = sql.indexOf('\n', i);
      delimiter = sql.slice(i + 10, eol < 0 ? sql.length : eol).trim().split(/\s+/)[0] ?? '';
      if (!delimiter || delimiter.includes('\\')) return refuse('DELIMITER needs a delimiter');
      i = eol < 0 ? sql.length : eol + 1;
      continue;
    }
    if (c === '\n') { lineStart = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') { i++; continue; }
    lineStart = false;
    if (c === delimiter[0] && sql.startsWith(delimiter, i)) {
      const r = endStatement();
      if (r) return r;
      i += delimiter.length;
      continue;
    }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= sql.length || sql.charCodeAt(i + 2) <= 32))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const exec = /^\/\*M?!\d*/.exec(sql.slice(i, i + 16));
      if (exec) { inExec = true; i += exec[0].length; continue; }
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? sql.length : e + 2;
      continue;
    }
    if (c === '*' && sql[i + 1] === '/' && inExec) { inExec = false; i += 2; continue; }
    if (c === '\\') {
      // The sandbox marker mariadb-dump writes first (\-) is the only client command a dump may hold.
      if (sql[i + 1] === '-') { i += 2; continue; }
      return refuse(`the client command "\\${sql[i + 1] ?? ''}" is not allowed in a dump`);
    }
    if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(sql, i, c, c !== '`');
      if (end < 0) return refuse('a quoted string or name is never closed');
      const inner = sql.slice(i + 1, end - 1);
      push(c === "'" ? { kind: 'other', value: "'" } : { kind: c === '`' ? 'ident' : 'dq', value: c === '`' ? inner.replace(/``/g, '`') : inner });
      i = end;
      continue;
    }
    if (c === '@' && sql[i + 1] === '@') {
      const m = /^@@(\w+)/.exec(sql.slice(i, i + 40));
      if (m && ['global', 'persist', 'persist_only'].includes(m[1]!.toLowerCase())) st.problem ??= 'changing server-wide variables (@@global) is not allowed in a dump';
      push({ kind: 'other', value: '@@' });
      i += 2;
      continue;
    }
    WORD.lastIndex = i;
    const word = WORD.exec(sql);
    if (word) {
      push({ kind: 'word', value: word[0] });
      i += word[0].length;
      continue;
    }
    push({ kind: c === '.' ? 'dot' : 'other', value: c });
    i++;
  }
  return endStatement();
}
