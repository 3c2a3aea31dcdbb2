import type { Knex } from 'knex';

/**
 * Restrict a query to rows whose `column` starts with `prefix`, matching the
 * prefix literally: `%`, `_` and `\` in it are escaped, with the escape
 * character named explicitly (SQLite has no default one; MySQL's is `\`).
 */
export function wherePrefix<T extends Knex.QueryBuilder>(q: T, column: string, prefix: string): T {
  if (!prefix) return q;
  return q.whereRaw('?? LIKE ? ESCAPE ?', [column, `${prefix.replace(/[\\%_]/g, '\\$&')}%`, '\\']) as T;
}

/** Restrict a query to rows whose `column` contains `text` literally (escaped as wherePrefix does). */
export function whereContains<T extends Knex.QueryBuilder>(q: T, column: string, text: string): T {
  if (!text) return q;
  return q.whereRaw('?? LIKE ? ESCAPE ?', [column, `%${text.replace(/[\\%_]/g, '\\$&')}%`, '\\']) as T;
}
