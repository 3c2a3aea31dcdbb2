import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { defineCommand, type CommandResult } from '../../../core/cli/command.js';
import { dumpDatabase, dumpDatabaseToFile } from '../../../core/database/dump.js';
import { writePortableDump } from '../../../core/database/portable-dump.js';
import { AegirError } from '../../../core/errors/aegir-error.js';

/** `aegir sql-dump`: the site database as SQL, to stdout or a file. */
export const sqlDump = defineCommand({
  name: 'sql-dump',
  description: 'Dump the site database as SQL (or, with --portable, as JSON lines for a site on the other database driver): to standard output, or to a file (mode 0600) with --result-file.',
  options: {
    'result-file': { type: 'string', description: 'Write the dump to this file instead of standard output', valueName: 'PATH' },
    portable: { type: 'boolean', description: 'A portable dump (JSON lines of tables and rows) that SQLite and MySQL sites both import, instead of SQL' },
  },
  bootstrap: 'full',
  examples: ['aegir --uri=example.test sql-dump > dump.sql', 'aegir --uri=example.test sql-dump --result-file=/backups/example.sql', 'aegir --uri=example.test sql-dump --portable --result-file=/tmp/example.jsonl'],
  async run(ctx): Promise<CommandResult> {
    const site = ctx.site!;
    const file = ctx.options['result-file'];
    if (file) {
      const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
      if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) {
        throw new AegirError('ERR_CLI_OPTION_VALUE', { option: 'result-file', command: 'sql-dump', problem: `folder ${dirname(path)} does not exist` });
      }
      await dumpDatabaseToFile(site.db, site.settings.database, path, ctx.options.portable === true);
      const bytes = statSync(path).size;
      ctx.logger.success(`Database dumped to ${path} (${bytes} bytes).`);
      return { data: { file: path, bytes } };
    }
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => chunks.push(c));
    if (ctx.options.portable) await writePortableDump(site.db, site.settings.database.driver, sink);
    else await dumpDatabase(site.db, site.settings.database, sink);
    sink.end();
    const text = Buffer.concat(chunks).toString('utf8');
    return { text, data: { bytes: Buffer.byteLength(text) } };
  },
});
