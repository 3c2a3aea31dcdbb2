import type { Database as SqliteDatabase } from 'better-sqlite3';

/** A statement of a dump the importer will not run, and why. */
export interface Refusal {
  readonly statement: number;
  readonly problem: string;
}

// Token classes of SQLite's own sqlite3_complete() (complete.c), whose state
// machine says where a statement ends, even inside CREATE TRIGGER ... END.
const SEMI = 0, WS = 1, OTHER = 2, EXPLAIN = 3, CREATE = 4, TEMP = 5, TRIGGER = 6, END = 7;
const NEXT: readonly (readonly number[])[] = [
  /* 0 invalid */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 start   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 normal  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 explain */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 create  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 trigger */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 semi    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 end     */ [1, 7, 5, 5, 5, 5, 5, 5],
];
const KEYWORD: Readonly<Record<string, number>> = { explain: EXPLAIN, create: CREATE, temp: TEMP, temporary: TEMP, trigger: TRIGGER, end: END };

/** Where a quoted token or comment that starts at `i` ends (index after it); the end of the text if it is not closed. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i]!;
  if (c === '-') { const nl = sql.indexOf('\n', i); return nl < 0 ? sql.length : nl + 1; }
  if (c === '/') { const e = sql.indexOf('*/', i + 2); return e < 0 ? sql.length : e + 2; }
  const close = c === '[' ? ']' : c;
  let j = i + 1;
  for (;;) {
    const e = sql.indexOf(close, j);
    if (e < 0) return sql.length;
    // '' inside '...' (and "" inside "...") is an escaped quote, not the end.
    if (close !== ']' && sql[e + 1] === close) { j = e + 2; continue; }
    return e + 1;
  }
}

/**
 * Split SQLite SQL into complete statements (each with its ";"), with the
 * boundaries SQLite itself would find. Text after the last ";" is returned
 * as a final (incomplete) statement so that it is not silently dropped.
 */
export function* sqliteStatements(sql: string): Generator<string> {
  let state = 1;
  let start = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    let token: number;
    let next = i + 1;
    if (c === ';') token = SEMI;
    else if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') token = WS;
    else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) { token = WS; next = skipQuoted(sql, i); }
    else if (c === "'" || c === '"' || c === '`' || c === '[') { token = OTHER; next = skipQuoted(sql, i); }
    else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      token = KEYWORD[sql.slice(i, j).toLowerCase()] ?? OTHER;
      next = j;
    } else token = OTHER;
    state = NEXT[state]![token]!;
    i = next;
    if (token === SEMI && state === 1) {
      yield sql.slice(start, i);
      start = i;
    }
  }
  if (sql.slice(start).replace(/--[^\n]*|\/\*[\s\S]*?\*\/|\s+/g, '') !== '') yield sql.slice(start);
}

/** The first words of a statement, lower case, comments and spaces skipped. */
export function leadingWords(statement: string, n = 3): string[] {
  const text = statement.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  return (text.match(/[A-Za-z_]+/g) ?? []).slice(0, n).map((w) => w.toLowerCase());
}

/** What to do with one statement of an SQLite dump: run it, skip it (the importer's own transaction handles it), or refuse the dump. */
export function sqliteVerdict(statement: string): 'run' | 'skip' | string {
  const [a = '', b = ''] = leadingWords(statement);
  // The dump's own transaction and foreign-key switch: the importer holds one transaction around everything.
  if (a === 'begin' || a === 'commit' || a === 'end') return 'skip';
  if (a === 'pragma' && b === 'foreign_keys' && /^\s*pragma\s+foreign_keys\s*=\s*(off|on|0|1)\s*;?\s*$/i.test(statement.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ''))) return 'skip';
  if (['create', 'insert', 'replace', 'update', 'delete', 'analyze'].includes(a)) return 'run';
  if (a === '') return 'skip';
  return `${a.toUpperCase()} statements are not allowed in a dump (only CREATE, INSERT, REPLACE, UPDATE, DELETE and ANALYZE; ATTACH would write outside the site's database)`;
}

/** Check every statement of a dump; the first refusal, if any. */
export function checkSqliteDump(sql: string): { statements: string[]; refusal?: Refusal } {
  const statements: string[] = [];
  let n = 0;
  for (const s of sqliteStatements(sql)) {
    n++;
    const v = sqliteVerdict(s);
    if (v === 'skip') continue;
    if (v !== 'run') return { statements, refusal: { statement: n, problem: v } };
    statements.push(s);
  }
  return { statements };
}

/**
 * Replace everything in an SQLite database with the statements of a dump,
 * in one transaction: its tables, views, indexes and triggers are dropped
 * and the statements run one by one (each prepared alone, so nothing can
 * hide a second statement); any failure rolls back, leaving the database as
 * it was.
 */
export function importSqlite(db: SqliteDatabase, statements: readonly string[]): number {
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const objects = db.prepare("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'table') AND name NOT LIKE 'sqlite_%' ORDER BY type DESC").all() as { type: string; name: string }[];
      for (const o of objects) db.exec(`DROP ${o.type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS "${o.name.replace(/"/g, '""')}"`);
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) db.exec('DELETE FROM sqlite_sequence');
      for (const s of statements) {
        const st = db.prepare(s);
        if (st.reader) st.all();
        else st.run();
      }
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw e;
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return statements.length;
}
