import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runProgram } from '../../../../core/util/exec.js';
import { verifyServerConnection } from '../../../../modules/provision/executor/pool.js';
import { parseDfAvailable, SshExecutor } from '../../../../modules/provision/executor/ssh.js';
import { StderrWithPid } from '../../../../modules/provision/executor/ssh-util.js';
import { REPO } from '../../../harness/codebase.js';
import { expectCode } from '../../../harness/expect.js';
import { startSshd, type TestSshd } from '../../../harness/sshd.js';

/** Collects a stream and tells when a line matching `re` arrived. */
function watch(re: RegExp): { stream: PassThrough; text: () => string; match: Promise<RegExpExecArray> } {
  const stream = new PassThrough();
  let text = '';
  let found: (m: RegExpExecArray) => void = () => undefined;
  const match = new Promise<RegExpExecArray>((r) => { found = r; });
  stream.on('data', (c: Buffer) => {
    text += c.toString('utf8');
    const m = re.exec(text);
    if (m) found(m);
  });
  return { stream, text: () => text, match };
}

describe('provision/executor/ssh (real sshd on loopback)', () => {
  let sshd: TestSshd;
  let ex: SshExecutor;
  let dir: string;

  before(async () => {
    sshd = await startSshd();
    await verifyServerConnection(sshd.server(), sshd.home, { pin: true });
  });

  after(async () => {
    await sshd?.stop();
  });

  beforeEach(() => {
    ex = new SshExecutor(sshd.server(), { home: sshd.home, killGraceMs: 1000 });
    dir = mkdtempSync(join(tmpdir(), 'aegir-ssh-'));
  });

  afterEach(async () => {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Whether a process runs on the server, asked remotely. A zombie does not
   * count: orphans wait there for a pid 1 that may never reap them.
   */
  const alive = async (pid: number): Promise<boolean> => {
    const stat = await ex.run(['cat', `/proc/${pid}/stat`]).then((r) => r.stdout, () => '');
    return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  };

  describe('run', () => {
    it('returns standard output and error apart, without the pid line', async () => {
      const r = await ex.run(['sh', '-c', 'echo out; echo err >&2; echo more-err >&2']);
      expect(r).to.deep.equal({ stdout: 'out\n', stderr: 'err\nmore-err\n' });
      expect(ex.server).to.equal('server_remote');
      expect(ex.local).to.equal(false);
    });

    it('passes input on standard input, text and binary', async () => {
      expect((await ex.run(['cat'], { input: 'line one\nsecret: p@ss\'"$x\n' })).stdout).to.equal('line one\nsecret: p@ss\'"$x\n');
      const bytes = randomBytes(300_000);
      const { stdout } = await ex.run(['sha256sum'], { input: bytes });
      expect(stdout.split(' ')[0]).to.equal(createHash('sha256').update(bytes).digest('hex'));
      // Without input, standard input is at end of file at once.
      expect((await ex.run(['cat'])).stdout).to.equal('');
    });

    it('collects large output, or streams it to opts.stdout', async () => {
      expect((await ex.run(['head', '-c', '3000000', '/dev/zero'])).stdout.length).to.equal(3_000_000);
      const w = watch(/$^/);
      const r = await ex.run(['seq', '1', '50000'], { stdout: w.stream });
      expect(r.stdout).to.equal('');
      expect(w.text().split('\n').length).to.equal(50001);
      expect(w.text().endsWith('49999\n50000\n')).to.equal(true);
    });

    it('runs in cwd with extra environment variables', async () => {
      const odd = join(dir, "a b'c");
      mkdirSync(odd);
      expect((await ex.run(['pwd'], { cwd: odd })).stdout).to.equal(`${odd}\n`);
      expect((await ex.run(['sh', '-c', 'printf "%s|%s" "$AEGIR_A" "$AEGIR_B"'], { env: { AEGIR_A: 'x y', AEGIR_B: "'$(id)'" } })).stdout).to.equal("x y|'$(id)'");
    });

    it('turns a non-zero exit into ERR_TOOL_FAILED naming the server, with the exit code and error output', async () => {
      const e = await expectCode(ex.run(['sh', '-c', 'echo partial; echo boom >&2; exit 3']), 'ERR_TOOL_FAILED');
      expect(e.facts.code).to.equal(3);
      expect(e.facts.server).to.equal('server_remote');
      expect(e.facts.problem).to.equal('boom');
      expect(e.message).to.contain('@server_remote');
      const killed = await expectCode(ex.run(['sh', '-c', 'kill -9 $$']), 'ERR_TOOL_FAILED');
      expect(killed.facts.code).to.equal('signal SIGKILL');
    });

    it('reports a missing program as ERR_TOOL_MISSING, like the local executor', async () => {
      const e = await expectCode(ex.run(['aegir-no-such-program', '--version']), 'ERR_TOOL_MISSING');
      expect(e.facts.server).to.equal('server_remote');
    });

    it('times out: sleep 5 with a 300 ms limit is ERR_TIMEOUT and the remote process is gone afterwards', async () => {
      const w = watch(/pid=(\d+) child=(\d+)\n/);
      const running = ex.run(['sh', '-c', 'sleep 5 & echo "pid=$$ child=$!"; wait'], { timeoutMs: 300, stdout: w.stream });
      const e = await expectCode(running, 'ERR_TIMEOUT');
      expect(e.facts.server).to.equal('server_remote');
      const m = await w.match;
      // The shell and the sleep it started (same process group) were stopped before run() gave up.
      expect(await alive(Number(m[1]))).to.equal(false);
      expect(await alive(Number(m[2]))).to.equal(false);
      expect(await alive(process.pid)).to.equal(true);
    });

    it('is cancelled by an AbortSignal: ERR_ABORTED, and the remote process is gone', async () => {
      const ac = new AbortController();
      const w = watch(/pid=(\d+)\n/);
      const running = ex.run(['sh', '-c', 'echo "pid=$$"; exec sleep 30'], { signal: ac.signal, stdout: w.stream });
      const m = await w.match;
      expect(await alive(Number(m[1]))).to.equal(true);
      ac.abort();
      await expectCode(running, 'ERR_ABORTED');
      expect(await alive(Number(m[1]))).to.equal(false);
    });

    it('runs nothing when the signal is already aborted', async () => {
      const marker = join(dir, 'ran');
      const ac = new AbortController();
      ac.abort('stop');
      const e = await expectCode(ex.run(['touch', marker], { signal: ac.signal }), 'ERR_ABORTED');
      expect(e.facts.reason).to.equal('stop');
      expect(existsSync(marker)).to.equal(false);
    });

    it('reuses one connection for all operations: 20 runs and file operations log in once', async () => {
      const logins = sshd.logins();
      for (let i = 0; i < 20; i++) expect((await ex.run(['echo', String(i)])).stdout).to.equal(`${i}\n`);
      await ex.writeFile(join(dir, 'f'), 'x');
      await ex.readFile(join(dir, 'f'));
      await Promise.all(Array.from({ length: 12 }, (_, i) => ex.run(['sh', '-c', `sleep 0.1; echo ${i}`])));
      expect(ex.connection.opened).to.equal(1);
      expect(sshd.logins() - logins).to.equal(1);
    });

    it('keeps parallel commands within the channel limit of the connection', async () => {
      const narrow = new SshExecutor(sshd.server(), { home: sshd.home, maxChannels: 2 });
      try {
        // Each prints when it starts, then holds its channel until the gate
        // opens: the first two must both start, and no third may start while
        // they hold. (Timing alone proved nothing when starts were slow.)
        const gate = join(dir, 'gate');
        const w = watch(/\+\d\n[^]*\+\d\n/);
        const runs = Array.from({ length: 6 }, (_, i) => narrow.run(['sh', '-c', `echo +${i}; while [ ! -e "$1" ]; do sleep 0.02; done; echo -${i}`, 'sh', gate], { stdout: w.stream }));
        await w.match;
        await new Promise((r) => setTimeout(r, 300));
        expect(w.text().match(/\+/g)).to.have.length(2);
        await ex.writeFile(gate, '');
        await Promise.all(runs);
        let open = 0;
        let most = 0;
        for (const line of w.text().trim().split('\n')) {
          open += line.startsWith('+') ? 1 : -1;
          most = Math.max(most, open);
        }
        expect(most).to.equal(2);
        expect(narrow.connection.opened).to.equal(1);
      } finally {
        await narrow.close();
      }
    });

    it('connects again once when the connection dropped; a command cut off by the drop is ERR_SERVER_UNREACHABLE', async () => {
      await ex.run(['true']);
      const cut = ex.run(['sleep', '30']);
      cut.catch(() => undefined);
      // Wait until sshd started it, then drop every connection.
      for (let i = 0; i < 100 && !/sleep 30/.test((await ex.run(['ps', '-eo', 'args'])).stdout); i++) await new Promise((r) => setTimeout(r, 20));
      await sshd.restart();
      const e = await expectCode(cut, 'ERR_SERVER_UNREACHABLE');
      expect(e.facts.reason).to.equal('lost');
      expect((await ex.run(['echo', 'back'])).stdout).to.equal('back\n');
      expect(await ex.exists(dir)).to.equal(true);
      expect(ex.connection.opened).to.equal(2);
    });
  });

  describe('files over SFTP', () => {
    it('round-trips text and binary files with their modes', async () => {
      const text = join(dir, 'settings.json');
      await ex.writeFile(text, '{ "ünï": "côdé" }\n', 0o640);
      expect((await ex.readFile(text)).toString('utf8')).to.equal('{ "ünï": "côdé" }\n');
      expect(statSync(text).mode & 0o777).to.equal(0o640);
      const bin = join(dir, 'blob.bin');
      const bytes = randomBytes(1_500_000);
      await ex.writeFile(bin, bytes, 0o600);
      expect((await ex.readFile(bin)).equals(bytes)).to.equal(true);
      expect(readFileSync(bin).equals(bytes)).to.equal(true);
      expect(statSync(bin).mode & 0o777).to.equal(0o600);
      // Modes umask would strip are kept; the default is 0644.
      await ex.writeFile(join(dir, 'script'), '#!/bin/sh\n', 0o775);
      expect(statSync(join(dir, 'script')).mode & 0o777).to.equal(0o775);
      await ex.writeFile(join(dir, 'plain'), '');
      expect(statSync(join(dir, 'plain')).mode & 0o777).to.equal(0o644);
      expect((await ex.run(['stat', '-c', '%a %s', bin])).stdout).to.equal('600 1500000\n');
    });

    it('replaces a file atomically: readers see the old or the whole new content, no temporary file stays', async () => {
      const target = join(dir, 'big.dat');
      const old = Buffer.alloc(1000, 'o');
      writeFileSync(target, old);
      const fresh = randomBytes(8_000_000);
      let done = false;
      const writing = ex.writeFile(target, fresh, 0o640).finally(() => { done = true; });
      let reads = 0;
      while (!done) {
        const seen = readFileSync(target);
        expect(seen.equals(old) || seen.equals(fresh), `a read saw ${seen.length} bytes`).to.equal(true);
        reads++;
        await new Promise((r) => setImmediate(r));
      }
      await writing;
      expect(reads).to.be.greaterThan(0);
      expect(readFileSync(target).equals(fresh)).to.equal(true);
      expect(readdirSync(dir)).to.deep.equal(['big.dat']);
    });

    it('leaves the old file whole when a write is cut off', async () => {
      const target = join(dir, 'conf');
      writeFileSync(target, 'old config\n');
      const writing = ex.writeFile(target, randomBytes(64_000_000));
      writing.catch(() => undefined);
      // Drop the connection while the temporary file is being written.
      for (let i = 0; i < 500 && !readdirSync(dir).some((n) => n.endsWith('.tmp')); i++) await new Promise((r) => setTimeout(r, 5));
      await sshd.restart();
      await expectCode(writing, 'ERR_SERVER_UNREACHABLE');
      expect(readFileSync(target, 'utf8')).to.equal('old config\n');
    });

    it('times out a file operation (ERR_TIMEOUT) and recovers with a new SFTP session', async () => {
      const hasty = new SshExecutor(sshd.server(), { home: sshd.home, commandTimeoutMs: 100 });
      try {
        await hasty.run(['true'], { timeoutMs: 30_000 });
        const target = join(dir, 'slow');
        const e = await expectCode(hasty.writeFile(target, randomBytes(64_000_000)), 'ERR_TIMEOUT');
        expect(e.facts.server).to.equal('server_remote');
        expect(existsSync(target)).to.equal(false);
        writeFileSync(join(dir, 'small'), 'still works');
        expect((await hasty.readFile(join(dir, 'small'))).toString()).to.equal('still works');
        expect(hasty.connection.opened).to.equal(1);
      } finally {
        await hasty.close();
      }
    });

    it('fails writing into a missing folder with ERR_TOOL_FAILED naming server and path', async () => {
      const e = await expectCode(ex.writeFile(join(dir, 'missing', 'f'), 'x'), 'ERR_TOOL_FAILED');
      expect(e.facts.code).to.equal('ENOENT');
      expect(e.facts.server).to.equal('server_remote');
      expect(e.facts.path).to.equal(join(dir, 'missing', 'f'));
      await expectCode(ex.readFile(join(dir, 'nope')), 'ERR_TOOL_FAILED');
    });

    it('creates folders with their parents, and accepts existing ones', async () => {
      const deep = join(dir, 'a', 'b c', "d'e");
      await ex.mkdir(deep, 0o750);
      expect(statSync(deep).isDirectory()).to.equal(true);
      expect(statSync(deep).mode & 0o777).to.equal(0o750);
      await ex.mkdir(deep);
      writeFileSync(join(dir, 'file'), '');
      await expectCode(ex.mkdir(join(dir, 'file')), 'ERR_TOOL_FAILED');
    });

    it('removes trees and absent paths, never the root', async () => {
      mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'tree', 'sub', 'f'), 'x');
      await ex.remove(join(dir, 'tree'));
      expect(existsSync(join(dir, 'tree'))).to.equal(false);
      await ex.remove(join(dir, 'absent'));
      await expectCode(ex.remove('/'), 'ERR_PATH_INVALID');
      await expectCode(ex.remove('//.'), 'ERR_PATH_INVALID');
    });

    it('shell-injection: remove of hostile file names removes those names only', async () => {
      mkdirSync(join(dir, 'keep'));
      // Relative to the login folder, where an injected command would run.
      const pwned = `aegir-pwned-${randomBytes(4).toString('hex')}`;
      const marker = join(homedir(), pwned);
      const names = ['k*', `x; touch ${pwned}`, `$(touch ${pwned})`, `\`touch ${pwned}\``, "a' b", '-rf', '.. '];
      for (const n of names) writeFileSync(join(dir, n), '');
      for (const n of names) await ex.remove(join(dir, n));
      // The glob removed only the file named "k*", and nothing ran.
      expect(readdirSync(dir)).to.deep.equal(['keep']);
      expect(existsSync(marker)).to.equal(false);
    });

    it('tells whether paths exist, renames over targets and lists folders', async () => {
      writeFileSync(join(dir, 'b'), 'B');
      writeFileSync(join(dir, 'a'), 'A');
      expect(await ex.exists(join(dir, 'a'))).to.equal(true);
      expect(await ex.exists(join(dir, 'zz'))).to.equal(false);
      expect(await ex.list(dir)).to.deep.equal(['a', 'b']);
      expect(await ex.list(join(dir, 'zz'))).to.deep.equal([]);
      expect(await ex.list(join(dir, 'a'))).to.deep.equal([]);
      await ex.rename(join(dir, 'a'), join(dir, 'b'));
      expect(readFileSync(join(dir, 'b'), 'utf8')).to.equal('A');
      expect(await ex.list(dir)).to.deep.equal(['b']);
      await expectCode(ex.rename(join(dir, 'a'), join(dir, 'c')), 'ERR_TOOL_FAILED');
    });

    it('refuses relative paths (ERR_PATH_INVALID)', async () => {
      await expectCode(ex.readFile('etc/passwd'), 'ERR_PATH_INVALID');
      await expectCode(ex.writeFile('x', 'y'), 'ERR_PATH_INVALID');
      await expectCode(ex.exists('../x'), 'ERR_PATH_INVALID');
      await expectCode(ex.rename(join(dir, 'a'), 'b'), 'ERR_PATH_INVALID');
    });

    it('reports free bytes from df -P -B1', async () => {
      const free = await ex.freeBytes(dir);
      const s = statfsSync(dir);
      const local = s.bavail * s.bsize;
      expect(free).to.be.greaterThan(0);
      expect(Math.abs(free - local) / local).to.be.lessThan(0.05);
    });
  });

  it('does not keep the process alive while its connection is idle', async () => {
    // A script that runs one command and never closes its executor still exits.
    const script = join(dir, 'idle.mts');
    const mod = (name: string): string => JSON.stringify(join(REPO, 'modules/provision/executor', name));
    writeFileSync(script, [
      `import { SshExecutor } from ${mod('ssh.ts')};`,
      `const ex = new SshExecutor(${JSON.stringify(sshd.server())}, { home: ${JSON.stringify(sshd.home)} });`,
      `process.stdout.write((await ex.run(['echo', 'done'])).stdout);`,
    ].join('\n'));
    const { stdout } = await runProgram(process.execPath, ['--import', 'tsx', script], { timeoutMs: 30_000, cwd: REPO });
    expect(stdout).to.equal('done\n');
  });

  it('takes the pid line out of standard error, also split over chunks and after login noise; never pid 0 or 1', () => {
    const seen: number[] = [];
    const e = new StderrWithPid();
    for (const c of ['motd noise\naegir-p', 'id:4242', '\nreal error\n']) e.push(Buffer.from(c), (pid) => seen.push(pid));
    expect(e.pid).to.equal(4242);
    expect(seen).to.deep.equal([4242]);
    expect(e.text()).to.equal('motd noise\nreal error\n');
    const one = new StderrWithPid();
    one.push(Buffer.from('aegir-pid:1\n'), (pid) => seen.push(pid));
    expect(one.pid).to.equal(undefined);
    expect(seen).to.deep.equal([4242]);
    const none = new StderrWithPid();
    none.push(Buffer.from('only an error'), () => undefined);
    expect(none.text()).to.equal('only an error');
  });

  it('parses df -P output, also with spaces in names', () => {
    expect(parseDfAvailable('Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/sda1 1000 400 600 40% /\n')).to.equal(600);
    expect(parseDfAvailable('Filesystem 1-blocks Used Available Capacity Mounted on\nmy disk 1000 400 600 40% /mnt/my disk\n')).to.equal(600);
    expect(parseDfAvailable('garbage')).to.equal(undefined);
  });
});
