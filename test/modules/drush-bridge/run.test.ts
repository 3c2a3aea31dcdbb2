import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, parseLine, type BackendLog } from '../../../modules/drush-bridge/protocol.js';
import { optionArgs, runBackend } from '../../../modules/drush-bridge/run.js';
import { REPO } from '../../harness/codebase.js';

describe('drush-bridge: running back-end commands', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'aegir-bridge-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  /** A stand-in back end: a script that writes what `body` writes. */
  const fake = (name: string, body: string): string => {
    const f = join(dir, `${name}.mjs`);
    writeFileSync(f, body);
    return f;
  };

  it('runs the real back end: log entries as they come, then its result', async () => {
    const home = join(dir, 'home');
    const logs: BackendLog[] = [];
    const out = await runBackend({
      aegirBin: join(REPO, 'bin', 'aegir'), command: 'provision-save', context: 'server_bridge', home,
      options: { 'context-type': 'server', host: 'localhost', db: 'sqlite' }, onLog: (e) => { logs.push(e); },
    });
    expect(out.exitCode).to.equal(0);
    expect(out.result?.status).to.equal('success');
    expect((out.result?.output as { name?: string }).name).to.equal('server_bridge');
    expect(logs.map((l) => l.message).join('\n')).to.include('Created context @server_bridge');
    expect(out.garbage).to.equal(0);
    expect(existsSync(join(home, 'contexts', 'server_bridge.json'))).to.equal(true);
  });

  it('gives a failing command\'s coded error, and never takes a secret on argv', async () => {
    const out = await runBackend({
      aegirBin: join(REPO, 'bin', 'aegir'), command: 'provision-verify', context: 'nowhere.test', home: join(dir, 'home'), onLog: () => undefined,
    });
    expect(out.exitCode).to.equal(1);
    expect(out.result?.status).to.equal('error');
    expect(out.result?.error?.code).to.equal('ERR_CONTEXT_UNKNOWN');
  });

  it('garbage: lines outside the protocol are logged as warnings and counted; a back end that dies without a result says so in its last lines', async () => {
    const bin = fake('garbage', `process.stdout.write('not json\\n{"type":"log","level":"info","message":"half');\nsetTimeout(() => { process.stdout.write(' done","time":1}\\n'); console.error('Segmentation fault'); process.exit(3); }, 50);\n`);
    const logs: BackendLog[] = [];
    const out = await runBackend({ aegirBin: bin, command: 'x', context: 'y', home: dir, onLog: (e) => { logs.push(e); } });
    expect(out.result).to.equal(undefined);
    expect(out.exitCode).to.equal(3);
    expect(out.garbage).to.equal(2);
    expect(logs.map((l) => `${l.level}:${l.message}`)).to.deep.equal(['warning:not json', 'info:half done', 'warning:Segmentation fault']);
    expect(out.lastLines.at(-1)).to.equal('Segmentation fault');
  });

  it('cancel: the back end gets SIGTERM, and SIGKILL after the grace period when it does not end', async () => {
    const marker = join(dir, 'term');
    const polite = fake('polite', `import { writeFileSync } from 'node:fs';\nprocess.on('SIGTERM', () => { writeFileSync(${JSON.stringify(marker)}, 'x'); process.exit(0); }); setInterval(() => {}, 1000);\n`);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const out = await runBackend({ aegirBin: polite, command: 'x', context: 'y', home: dir, onLog: () => undefined, signal: ac.signal });
    expect(out.exitCode).to.equal(0);
    expect(readFileSync(marker, 'utf8')).to.equal('x');
    const stubborn = fake('stubborn', `process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);\n`);
    const ac2 = new AbortController();
    setTimeout(() => ac2.abort(), 300);
    const out2 = await runBackend({ aegirBin: stubborn, command: 'x', context: 'y', home: dir, onLog: () => undefined, signal: ac2.signal, graceMs: 200 });
    expect(out2.signal).to.equal('SIGKILL');
  });

  it('secrets travel on stdin only', async () => {
    const bin = fake('stdin', `let s=''; process.stdin.on('data', (c) => { s += c; }); process.stdin.on('end', () => { process.stdout.write(JSON.stringify({ type: 'result', status: 'success', command: 'x', output: { got: s, argv: process.argv.slice(2) }, text: null, context: {}, error: null, elapsedMs: 1 }) + '\\n'); });\n`);
    const out = await runBackend({ aegirBin: bin, command: 'x', context: 'y', home: dir, stdin: 's3cret', options: { a: 1, flag: true, off: false }, onLog: () => undefined });
    const got = out.result?.output as { got: string; argv: string[] };
    expect(got.got).to.equal('s3cret');
    expect(got.argv).to.deep.equal(['--backend', 'x', '@y', '--a=1', '--flag']);
    expect(got.argv.join(' ')).to.not.include('s3cret');
  });

  it('reads lines split across chunks, and refuses entries that only look like the protocol', () => {
    const s = new LineSplitter();
    expect(s.push('{"a":1')).to.deep.equal([]);
    expect(s.push('}\n{"b"')).to.deep.equal(['{"a":1}']);
    expect(s.end()).to.deep.equal(['{"b"']);
    expect(parseLine('{"type":"log","level":"shout","message":"x"}').type).to.equal('garbage');
    expect(parseLine('{"type":"result","status":"maybe"}').type).to.equal('garbage');
    expect(optionArgs({ b: 'x', a: true })).to.deep.equal(['--a', '--b=x']);
  });
});
