import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue, type ErrorCode } from '../../../core/errors/catalogue.js';
import { REPO } from '../../harness/codebase.js';

const CATALOGUE = join(REPO, 'core', 'errors', 'catalogue.ts');
const SELF = fileURLToPath(import.meta.url);


/** Every file under `dir` whose name ends with one of `exts`, skipping node_modules and dot folders. */
function filesUnder(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  let entries;
  try { entries = readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(path, exts));
    else if (e.isFile() && exts.some((x) => e.name.endsWith(x))) out.push(path);
  }
  return out;
}

/**
 * The codes a file names as a string literal ('ERR_X', "ERR_X" or `ERR_X`):
 * how code raises them (new AegirError('ERR_X', ...)) and tests assert them
 * (expectCode(..., 'ERR_X')). A code only mentioned in a comment or inside a
 * longer text, such as a test's title, does not count.
 */
function codesNamedIn(files: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(['"`])(ERR_[A-Z0-9_]+)\1/g)) {
      const list = found.get(m[2]!) ?? [];
      if (!list.includes(file)) list.push(file);
      found.set(m[2]!, list);
    }
  }
  return found;
}

describe('error catalogue', () => {
  const codes = Object.keys(catalogue) as ErrorCode[];
  const sources = ['core', 'modules', 'profiles', 'themes', 'bin']
    .flatMap((d) => filesUnder(join(REPO, d), ['.ts', '.mjs']))
    .filter((f) => f !== CATALOGUE);
  const tests = filesUnder(join(REPO, 'test'), ['.ts']).filter((f) => f !== SELF);

  it('scans the source and test files of the repository', () => {
    expect(sources.map((f) => relative(REPO, f))).to.include.members(['core/errors/aegir-error.ts', 'core/cli/run.ts']);
    expect(tests.map((f) => relative(REPO, f))).to.include('test/harness/expect.ts');
    expect(sources.concat(tests)).to.not.include.members([CATALOGUE, SELF]);
  });

  it('every code is raised by some source file and asserted by some test', () => {
    const raised = codesNamedIn(sources);
    const asserted = codesNamedIn(tests);
    const problems: string[] = [];
    for (const code of codes) {
      const missing: string[] = [];
      if (!raised.has(code)) missing.push('raised by no source file (remove it from the catalogue, or raise it)');
      if (!asserted.has(code)) missing.push('asserted by no test');
      if (missing.length) problems.push(`${code}: ${missing.join('; ')}`);
    }
    expect(problems, `Codes of core/errors/catalogue.ts that need work:\n  ${problems.join('\n  ')}\n`).to.deep.equal([]);
  });
});
