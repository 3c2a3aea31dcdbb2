import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MysqlSettings } from './db-url.js';

/** A MySQL client option file holding credentials; remove it when done. */
export interface OptionFile {
  readonly path: string;
  remove(): void;
}

function quote(v: string): string {
  if (/[\n\r\0]/.test(v)) throw new Error('database credentials must not contain line breaks');
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Write a `[client]` option file (mode 0600, in a private temporary folder)
 * so that mysql tools get the password without it ever being on a command
 * line. Pass `--defaults-extra-file=<path>` as the tool's first argument.
 */
export function writeOptionFile(db: MysqlSettings): OptionFile {
  const dir = mkdtempSync(join(tmpdir(), 'aegir-my-'));
  const path = join(dir, 'client.cnf');
  const lines = ['[client]', `user=${quote(db.user)}`, `password=${quote(db.password)}`];
  if (db.socket) lines.push('host=localhost', `socket=${quote(db.socket)}`);
  else lines.push(`host=${quote(db.host)}`, `port=${db.port}`, 'protocol=TCP');
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
