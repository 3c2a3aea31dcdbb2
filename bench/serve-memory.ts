// Resident memory of one `aegir serve` process as it loads more sites: the
// figure a host planning how many sites one platform process can carry
// needs. Twenty minimal sites are installed in a throw-away codebase (one
// real install, nineteen copies of its folder), the server is started on a
// free port, and its VmRSS is read from /proc after the first request to 1,
// 5, 10 and 20 sites (each site answered once more before reading, so
// lazily built registries are in).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { childEnv, copyCodebase, fmt, isMain, machine, printFigures, type Figure } from './util.js';

const SITES = 20;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startServer(root: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'aegir'), 'serve', '--port=0'], { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer): void => {
      text += c.toString();
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (m) resolve(m[1]!);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${text}`)));
  });
  return { child, base };
}

const agent = new Agent({ keepAlive: true });

/** GET / with a Host header (fetch does not let one set Host). */
function hit(base: string, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${host} answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Run the benchmark and return its figures. */
export async function main(): Promise<Figure[]> {
  console.log(`serve-memory: resident memory of aegir serve with 1..${SITES} sites loaded`);
  const copy = await copyCodebase();
  let child: ChildProcess | undefined;
  try {
    await copy.aegir(['site-install', 'minimal', '--uri=site01.test', '-q']);
    for (let i = 2; i <= SITES; i++) {
      cpSync(join(copy.root, 'sites', 'site01.test'), join(copy.root, 'sites', `site${String(i).padStart(2, '0')}.test`), { recursive: true });
    }
    const server = await startServer(copy.root);
    child = server.child;
    const idle = rssMb(child.pid!);
    const at: Record<number, number> = {};
    for (let i = 1; i <= SITES; i++) {
      const host = `site${String(i).padStart(2, '0')}.test`;
      await hit(server.base, host);
      await hit(server.base, host);
      if ([1, 5, 10, 20].includes(i)) at[i] = rssMb(child.pid!);
    }
    console.log(`  before any request: ${fmt(idle)} MB`);
    for (const [n, mb] of Object.entries(at)) console.log(`  ${n.padStart(2)} site(s) loaded: ${fmt(mb)} MB`);
    const perSite = (at[SITES]! - at[1]!) / (SITES - 1);
    console.log(`  each further site: ${fmt(perSite)} MB`);
    const figures: Figure[] = [
      { name: `aegir serve RSS with ${SITES} sites`, value: at[SITES]!, unit: 'MB', baseline: { name: '1 site', value: at[1]! } },
      { name: 'aegir serve RSS per further site', value: perSite, unit: 'MB' },
    ];
    printFigures(figures);
    return figures;
  } finally {
    agent.destroy();
    child?.kill('SIGTERM');
    copy.cleanup();
  }
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
