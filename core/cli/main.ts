import { bundleImporter } from '../modules/bundle-importer.js';
import { runCli } from './run.js';

/**
 * Entry of bin/aegir: runs one command line against the real process and
 * exits with its status. `compiled` holds the loaders of the module entries
 * built into the bundle, by path relative to `ownRoot`; `hostImport` is the launcher's
 * import(), for modules that are not in the bundle.
 */
export async function main(
  argv: readonly string[],
  ownRoot: string,
  compiled?: Readonly<Record<string, () => Promise<unknown>>>,
  hostImport?: (url: string) => Promise<unknown>,
): Promise<never> {
  let stdinText: Promise<string> | undefined;
  const code = await runCli(argv, {
    stdout: (t) => { process.stdout.write(t); },
    stderr: (t) => { process.stderr.write(t); },
    readStdin: () => (stdinText ??= readAll(process.stdin)),
    env: process.env,
    cwd: process.cwd(),
    color: !!process.stderr.isTTY && !process.env.NO_COLOR,
  }, ownRoot, compiled && hostImport ? bundleImporter(ownRoot, compiled, hostImport) : undefined);
  // Let stdout drain before exiting: a pipe may still hold the result line.
  await new Promise<void>((r) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => r()) : r()));
  process.exit(code);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}
