// Lines of code of each contrib module under sites/all/modules: TypeScript
// lines that are neither blank nor comments, tests and templates not
// counted. The bar is 100 per module (one folder each); a module
// that needs more says the extension points do not fit it yet.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMain, type Figure } from './util.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lines of code of one TypeScript text: not blank, not inside or made of comments. */
export function codeLines(text: string): number {
  let inBlock = false;
  let n = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      inBlock = !line.includes('*/');
      continue;
    }
    n++;
  }
  return n;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return f.endsWith('.ts') && !f.endsWith('.test.ts') ? [p] : [];
  });
}

/** One figure per contrib module: its lines of code, against the bar of 100. */
export async function main(): Promise<Figure[]> {
  const root = join(ROOT, 'sites', 'all', 'modules');
  const figures: Figure[] = [];
  for (const name of readdirSync(root).filter((m) => statSync(join(root, m)).isDirectory()).sort()) {
    const lines = tsFiles(join(root, name)).reduce((sum, f) => sum + codeLines(readFileSync(f, 'utf8')), 0);
    figures.push({ name: `contrib ${name}: lines of code`, value: lines, unit: 'lines', target: 101 });
    console.log(`contrib ${name}: ${lines} lines of code (bar: 100)`);
  }
  return figures;
}

if (isMain(import.meta.url)) await main();
