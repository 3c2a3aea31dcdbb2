import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { runProgram } from '../../../../core/util/exec.js';
import { algorithmsFor, fingerprint, keyType, KnownHosts } from '../../../../modules/provision/executor/known-hosts.js';
import { expectCode } from '../../../harness/expect.js';

/** The raw public key blob of a fresh key pair. */
function blob(type: 'ed25519' | 'ecdsa' = 'ed25519'): Buffer {
  const pair = type === 'ecdsa' ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }) : ssh2.utils.generateKeyPairSync('ed25519');
  return Buffer.from(pair.public.split(' ')[1]!, 'base64');
}

describe('provision/executor/known-hosts', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'aegir-kh-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('fingerprints like OpenSSH: SHA256: and base64 without padding, equal to ssh-keygen -l', async () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const pub = join(home, 'k.pub');
    writeFileSync(pub, `${pair.public}\n`);
    const listed = (await runProgram('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub])).stdout.split(' ')[1];
    const fp = fingerprint(Buffer.from(pair.public.split(' ')[1]!, 'base64'));
    expect(fp).to.equal(listed);
    expect(fp).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('reads the key type from the blob and the algorithms that prove it', () => {
    expect(keyType(blob())).to.equal('ssh-ed25519');
    expect(keyType(blob('ecdsa'))).to.equal('ecdsa-sha2-nistp256');
    expect(keyType(Buffer.from([0, 0, 0, 99, 1]))).to.equal('unknown');
    expect(algorithmsFor('ssh-rsa')).to.deep.equal(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algorithmsFor('ssh-ed25519')).to.deep.equal(['ssh-ed25519']);
  });

  it('accepts an unknown key only in pin mode, and pins it into known_hosts.json of mode 0640', async () => {
    const kh = new KnownHosts(home);
    const key = blob();
    await expectCode(() => kh.check('server_a', '10.0.0.1:22', key), 'ERR_HOST_KEY_UNKNOWN');
    expect(kh.check('server_a', '10.0.0.1:22', key, { pin: true })).to.deep.equal({ fingerprint: fingerprint(key), isNew: true });
    // Checking writes nothing; pin() does.
    expect(kh.get('server_a')).to.equal(undefined);
    kh.pin('server_a', '10.0.0.1:22', key);
    expect(statSync(kh.path).mode & 0o777).to.equal(0o640);
    const saved = JSON.parse(readFileSync(kh.path, 'utf8')) as Record<string, { key: string; fingerprint: string; target: string }>;
    expect(saved.server_a!.key).to.equal(`ssh-ed25519 ${key.toString('base64')}`);
    expect(saved.server_a!.target).to.equal('10.0.0.1:22');
    expect(kh.check('server_a', '10.0.0.1:22', key)).to.deep.equal({ fingerprint: fingerprint(key), isNew: false });
    // Pinning the same key again changes nothing.
    kh.pin('server_a', '10.0.0.1:22', key);
    expect(kh.get('server_a')!.fingerprint).to.equal(fingerprint(key));
  });

  it('mitm-host-key: another key is ERR_HOST_KEY_MISMATCH naming both fingerprints, also in pin mode', async () => {
    const kh = new KnownHosts(home);
    const good = blob();
    const evil = blob();
    kh.pin('server_a', 'h:22', good);
    const before = readFileSync(kh.path, 'utf8');
    const e = await expectCode(() => kh.check('server_a', 'h:22', evil, { pin: true }), 'ERR_HOST_KEY_MISMATCH');
    expect(e.facts.expected).to.equal(fingerprint(good));
    expect(e.facts.actual).to.equal(fingerprint(evil));
    expect(e.facts.server).to.equal('server_a');
    // Nor can a second pin (a race with another process) replace it.
    await expectCode(() => kh.pin('server_a', 'h:22', evil), 'ERR_HOST_KEY_MISMATCH');
    expect(readFileSync(kh.path, 'utf8')).to.equal(before);
    // Another key type with the same server name is no better.
    await expectCode(() => kh.check('server_a', 'h:22', blob('ecdsa')), 'ERR_HOST_KEY_MISMATCH');
  });

  it('keeps pins per server and forgets one on request', () => {
    const kh = new KnownHosts(home);
    const a = blob();
    const b = blob();
    kh.pin('server_b', 'b:22', b);
    kh.pin('server_a', 'a:22', a);
    expect([...kh.all().keys()]).to.deep.equal(['server_a', 'server_b']);
    expect(kh.forget('server_a')).to.equal(true);
    expect(kh.forget('server_a')).to.equal(false);
    expect(kh.get('server_a')).to.equal(undefined);
    expect(kh.get('server_b')!.fingerprint).to.equal(fingerprint(b));
  });

  it('refuses a damaged known_hosts.json instead of trusting any key (ERR_SETTINGS_INVALID)', async () => {
    const kh = new KnownHosts(home);
    writeFileSync(kh.path, '{ not json');
    await expectCode(() => kh.check('server_a', 'h:22', blob(), { pin: true }), 'ERR_SETTINGS_INVALID');
    await expectCode(() => kh.pin('server_a', 'h:22', blob()), 'ERR_SETTINGS_INVALID');
    writeFileSync(kh.path, JSON.stringify({ server_a: { key: 'ssh-ed25519 $(id)', fingerprint: 'x' } }));
    await expectCode(() => kh.check('server_a', 'h:22', blob()), 'ERR_SETTINGS_INVALID');
  });
});
