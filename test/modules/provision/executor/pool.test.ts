import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerContext } from '../../../../modules/provision/context/types.js';
import { backendKey, keyPaths } from '../../../../modules/provision/executor/keys.js';
import { KnownHosts } from '../../../../modules/provision/executor/known-hosts.js';
import { LocalExecutor } from '../../../../modules/provision/executor/local.js';
import { closeAll, executorFor, verifyServerConnection } from '../../../../modules/provision/executor/pool.js';
import { SshExecutor } from '../../../../modules/provision/executor/ssh.js';
import { expectCode } from '../../../harness/expect.js';
import { freePort, startSshd, type TestSshd } from '../../../harness/sshd.js';

const LOCAL: ServerContext = { type: 'server', name: 'server_master', host: 'localhost', services: {} };

describe('provision/executor/pool and host keys (real sshd on loopback)', () => {
  let sshd: TestSshd;
  let scratch: string;

  before(async () => {
    sshd = await startSshd();
  });

  after(async () => {
    await closeAll();
    await sshd?.stop();
  });

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'aegir-pool-'));
  });

  afterEach(async () => {
    await closeAll();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh Aegir home holding the authorized client key of the test server, and nothing pinned. */
  const homeWithKey = (): string => {
    const home = join(scratch, `home-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(home, 'keys'), { recursive: true, mode: 0o700 });
    for (const f of ['id_ed25519', 'id_ed25519.pub']) copyFileSync(join(sshd.home, 'keys', f), join(home, 'keys', f));
    return home;
  };

  describe('executorFor', () => {
    it('gives the local executor for localhost', () => {
      const ex = executorFor(LOCAL, scratch);
      expect(ex).to.be.instanceOf(LocalExecutor);
      expect(ex.local).to.equal(true);
      expect(ex.server).to.equal('server_master');
    });

    it('gives one SshExecutor per server within the process, and new ones after closeAll', async () => {
      const home = homeWithKey();
      const a = executorFor(sshd.server(), home);
      expect(a).to.be.instanceOf(SshExecutor);
      expect(a.local).to.equal(false);
      expect(executorFor(sshd.server(), home)).to.equal(a);
      expect(executorFor(sshd.server('server_other'), home)).to.not.equal(a);
      expect(executorFor(sshd.server('server_remote', { port: sshd.port + 1 }), home)).to.not.equal(a);
      await closeAll();
      expect(executorFor(sshd.server(), home)).to.not.equal(a);
    });
  });

  describe('verifyServerConnection', () => {
    it('verifies localhost without SSH', async () => {
      const r = await verifyServerConnection(LOCAL, scratch);
      expect(r.local).to.equal(true);
      expect(r.system).to.equal('Linux');
      expect(r.hostKey).to.equal(undefined);
    });

    it('adds a server by host, port and user: generates the missing key, pins the host key on first verify, then checks it', async () => {
      const home = join(scratch, 'new-home');
      expect(existsSync(keyPaths(home).privatePath)).to.equal(false);
      // The first verify makes the key; the admin adds it to authorized_keys; then it connects.
      const refused = await expectCode(verifyServerConnection(sshd.server(), home, { pin: true }), 'ERR_SERVER_UNREACHABLE');
      expect(refused.facts.reason).to.equal('auth');
      expect(existsSync(keyPaths(home).privatePath)).to.equal(true);
      // A verify that failed pinned nothing.
      expect(new KnownHosts(home).get('server_remote')).to.equal(undefined);
      sshd.authorize(backendKey(home).publicKey);
      const first = await verifyServerConnection(sshd.server(), home, { pin: true });
      expect(first.pinnedNow).to.equal(true);
      expect(first.system).to.equal('Linux');
      expect(first.hostKey).to.equal(await sshd.hostKeyFingerprint());
      expect(first.publicKey).to.equal(backendKey(home).publicKey);
      expect(first.target).to.equal(`${sshd.user}@127.0.0.1:${sshd.port}`);
      expect(new KnownHosts(home).get('server_remote')!.fingerprint).to.equal(first.hostKey);
      const again = await verifyServerConnection(sshd.server(), home, { pin: true });
      expect(again.pinnedNow).to.equal(false);
      expect(again.hostKey).to.equal(first.hostKey);
      // Executors check the pin from then on.
      expect((await executorFor(sshd.server(), home).run(['echo', 'ok'])).stdout).to.equal('ok\n');
    });

    it('refuses a host key that is not pinned yet without pin mode (ERR_HOST_KEY_UNKNOWN), before logging in', async () => {
      const home = homeWithKey();
      const logins = sshd.logins();
      const marker = join(scratch, 'ran');
      await expectCode(executorFor(sshd.server(), home).run(['touch', marker]), 'ERR_HOST_KEY_UNKNOWN');
      await expectCode(verifyServerConnection(sshd.server(), home), 'ERR_HOST_KEY_UNKNOWN');
      expect(existsSync(marker)).to.equal(false);
      expect(sshd.logins()).to.equal(logins);
      expect(existsSync(new KnownHosts(home).path)).to.equal(false);
    });

    it('reports an unreachable port as ERR_SERVER_UNREACHABLE (refused)', async () => {
      const home = homeWithKey();
      const port = await freePort();
      const e = await expectCode(verifyServerConnection(sshd.server('server_remote', { port }), home, { pin: true, connectTimeoutMs: 2000 }), 'ERR_SERVER_UNREACHABLE');
      expect(e.facts.reason).to.equal('refused');
      expect(e.facts.server).to.equal('server_remote');
    });

    it('gives up on a port that never speaks SSH within the connect timeout (ERR_SERVER_UNREACHABLE, timeout)', async () => {
      const sockets: import('node:net').Socket[] = [];
      const silent: Server = createServer((s) => { sockets.push(s); });
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const port = (silent.address() as { port: number }).port;
        const ex = new SshExecutor(sshd.server('server_remote', { port }), { home: homeWithKey(), pin: true, connectTimeoutMs: 300 });
        const e = await expectCode(ex.run(['true'], { timeoutMs: 30_000 }), 'ERR_SERVER_UNREACHABLE');
        expect(e.facts.reason).to.equal('timeout');
        expect(sockets.length).to.equal(1);
      } finally {
        sockets.forEach((s) => s.destroy());
        await new Promise((r) => silent.close(r));
      }
    });

    it('reports a wrong user or an unauthorized key as ERR_SERVER_UNREACHABLE (auth) saying which key to add', async () => {
      const home = homeWithKey();
      await verifyServerConnection(sshd.server(), home, { pin: true });
      const wrongUser = await expectCode(verifyServerConnection(sshd.server('server_remote', { user: 'aegir_nosuchuser' }), home), 'ERR_SERVER_UNREACHABLE');
      expect(wrongUser.facts.reason).to.equal('auth');
      expect(wrongUser.message).to.contain(keyPaths(home).publicPath);
      // Same pinned host key, but a key pair the server does not know.
      const other = join(scratch, 'other-key');
      mkdirSync(other);
      copyFileSync(new KnownHosts(home).path, join(other, 'known_hosts.json'));
      const wrongKey = await expectCode(verifyServerConnection(sshd.server(), other), 'ERR_SERVER_UNREACHABLE');
      expect(wrongKey.facts.reason).to.equal('auth');
    });

    // Last: these change the server's host key.
    it('mitm-host-key: a server presenting another host key is refused with ERR_HOST_KEY_MISMATCH and no command runs', async () => {
      const home = homeWithKey();
      const pinned = (await verifyServerConnection(sshd.server(), home, { pin: true })).hostKey!;
      const known = readFileSync(new KnownHosts(home).path, 'utf8');
      await sshd.restart({ hostKey: 'ed25519' });
      const actual = await sshd.hostKeyFingerprint();
      expect(actual).to.not.equal(pinned);
      const logins = sshd.logins();
      const marker = join(scratch, 'ran');
      const e = await expectCode(executorFor(sshd.server(), home).run(['touch', marker]), 'ERR_HOST_KEY_MISMATCH');
      expect(e.facts.expected).to.equal(pinned);
      expect(e.facts.actual).to.equal(actual);
      expect(e.facts.server).to.equal('server_remote');
      // Pin mode does not re-pin a changed key either.
      await expectCode(verifyServerConnection(sshd.server(), home, { pin: true }), 'ERR_HOST_KEY_MISMATCH');
      await expectCode(executorFor(sshd.server(), home).writeFile(marker, 'x'), 'ERR_HOST_KEY_MISMATCH');
      expect(existsSync(marker)).to.equal(false);
      expect(sshd.logins()).to.equal(logins);
      expect(readFileSync(new KnownHosts(home).path, 'utf8')).to.equal(known);
    });

    it('mitm-host-key: a server offering only another key type is refused with ERR_HOST_KEY_MISMATCH', async () => {
      const home = homeWithKey();
      await verifyServerConnection(sshd.server(), home, { pin: true });
      await sshd.restart({ hostKey: 'ecdsa' });
      const logins = sshd.logins();
      await expectCode(verifyServerConnection(sshd.server(), home, { pin: true }), 'ERR_HOST_KEY_MISMATCH');
      expect(sshd.logins()).to.equal(logins);
    });
  });
});
