import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '../../../../core/util/exec.js';
import { PID_MARKER, remoteCommand, shellQuote } from '../../../../modules/provision/executor/quote.js';
import { SshExecutor } from '../../../../modules/provision/executor/ssh.js';
import { verifyServerConnection } from '../../../../modules/provision/executor/pool.js';
import { startSshd, type TestSshd } from '../../../harness/sshd.js';

/** Words a shell would treat specially, one per element. */
export const HOSTILE: readonly string[] = [
  '', "'", "''", "it's", '"', '"\'"', '$(id)', '${HOME}', '$HOME', '$0', '$$', '`id`', '; id', 'a;b', 'a | id', '||', 'a & id', '&&',
  'line1\nline2', '\n', '\r\n', ' spaced out ', '  ', '\t', '-rf', '--', '-n', '-e', '--help', '\\', '\\n', '\\\'', '*', '?', '[a-z]*',
  '~', '~root', '!', '!!', '#comment', '%s%n', '<in', '>out', '2>&1', '{a,b}', '(sub)', 'ünïcödé ✓ 日本語 🚀', '\x01\x1b[31m\x7f',
  "'; touch /tmp/pwned; '", '"$(touch /tmp/pwned)"', "\\'$(id)\\'",
];

describe('provision/executor/quote', () => {
  describe('shellQuote', () => {
    it('quotes every element in single quotes and joins them with spaces', () => {
      expect(shellQuote(['ls', '-l', '/tmp'])).to.equal("'ls' '-l' '/tmp'");
      expect(shellQuote([])).to.equal('');
    });

    it("quotes the empty string as '' and ' as '\\''", () => {
      expect(shellQuote([''])).to.equal("''");
      expect(shellQuote(["it's"])).to.equal("'it'\\''s'");
      expect(shellQuote(["'"])).to.equal("''\\'''");
    });

    it('leaves nothing outside quotes but the escaped single quote', () => {
      for (const word of HOSTILE) {
        const q = shellQuote([word]);
        // Quoted runs joined only by \' : no character of the word is ever outside quotes.
        expect(q, JSON.stringify(word)).to.match(/^'[^']*'(?:\\''[^']*')*$/);
      }
    });

    it('refuses NUL bytes, like spawn does (ERR_INVALID_ARG_VALUE)', () => {
      let caught: unknown;
      try {
        shellQuote(['ok', 'a\0b']);
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(TypeError);
      expect((caught as { code?: string }).code).to.equal('ERR_INVALID_ARG_VALUE');
    });

    it('shell-injection: a local POSIX shell reads back exactly the hostile elements', async () => {
      // dash (/bin/sh) and bash parse the quoted words; printf gives each back NUL-terminated.
      for (const sh of ['/bin/sh', '/bin/bash']) {
        if (!existsSync(sh)) continue;
        const { stdout } = await runProgram(sh, ['-c', `printf '%s\\0' ${shellQuote(HOSTILE)}`]);
        expect(stdout.split('\0').slice(0, -1), sh).to.deep.equal([...HOSTILE]);
      }
    });
  });

  describe('remoteCommand', () => {
    it('execs the program, after cd into a quoted folder and with env assignments as quoted words', () => {
      expect(remoteCommand(['ls', '-l'])).to.equal("exec 'ls' '-l'");
      expect(remoteCommand(['pwd'], { cwd: "/tmp/a b'c" })).to.equal("cd -- '/tmp/a b'\\''c' && exec 'pwd'");
      expect(remoteCommand(['prog'], { env: { A_B: '$(id) x' } })).to.equal("exec 'env' 'A_B=$(id) x' 'prog'");
      expect(remoteCommand(['true'], { announcePid: true })).to.equal(`printf '${PID_MARKER}%s\\n' "$$" >&2 && exec 'true'`);
    });

    it('refuses an empty program, a program starting with "-", bad variable names and NUL bytes', () => {
      const code = (fn: () => unknown): string | undefined => {
        try {
          fn();
        } catch (e) {
          return (e as { code?: string }).code;
        }
        return undefined;
      };
      expect(code(() => remoteCommand([]))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['']))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['-x']))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['prog'], { env: { 'A;id': 'x' } }))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['A=1'], { env: { B: 'x' } }))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['prog'], { cwd: '/tmp/\0' }))).to.equal('ERR_INVALID_ARG_VALUE');
      expect(code(() => remoteCommand(['prog'], { env: { A: '\0' } }))).to.equal('ERR_INVALID_ARG_VALUE');
    });
  });

  describe('over SSH (real sshd on loopback)', () => {
    let sshd: TestSshd;
    let ex: SshExecutor;
    let dir: string;

    before(async () => {
      sshd = await startSshd();
      await verifyServerConnection(sshd.server(), sshd.home, { pin: true });
      ex = new SshExecutor(sshd.server(), { home: sshd.home });
      dir = mkdtempSync(join(tmpdir(), 'aegir-quote-'));
    });

    after(async () => {
      await ex?.close();
      await sshd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("shell-injection: printf '%s\\n' run remotely gives back exactly the hostile elements", async () => {
      const { stdout } = await ex.run(['printf', '%s\\n', ...HOSTILE]);
      expect(stdout).to.equal(HOSTILE.map((w) => `${w}\n`).join(''));
    });

    it('shell-injection: command substitution, ; and backticks in arguments, cwd and env run nothing', async () => {
      const marker = join(dir, 'pwned');
      const attacks = [`$(touch ${marker})`, `; touch ${marker}`, `\`touch ${marker}\``, `' ; touch ${marker} ; '`, `\n touch ${marker}`, `| touch ${marker}`, `&& touch ${marker}`];
      for (const a of attacks) {
        const { stdout } = await ex.run(['echo', a]);
        expect(stdout).to.equal(`${a}\n`);
        await ex.run(['sh', '-c', 'printf %s "$AEGIR_VALUE"'], { env: { AEGIR_VALUE: a } }).then((r) => expect(r.stdout).to.equal(a));
      }
      const oddDir = join(dir, `$(touch ${marker}) ';x`);
      await ex.mkdir(oddDir);
      expect((await ex.run(['pwd'], { cwd: oddDir })).stdout).to.equal(`${oddDir}\n`);
      expect(existsSync(marker)).to.equal(false);
    });
  });
});
