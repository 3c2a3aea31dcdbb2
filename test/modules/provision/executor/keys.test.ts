import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram } from '../../../../core/util/exec.js';
import { backendKey, keyPaths, publicKeyLine } from '../../../../modules/provision/executor/keys.js';
import { expectCode } from '../../../harness/expect.js';

describe('provision/executor/keys', () => {
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'aegir-keys-'));
  });

  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
  });

  it('every key it generates reads back (ssh2 drops a leading zero byte of about one public key in 256): 1,000 homes, 1,000 readable keys', function () {
    this.timeout(60_000);
    for (let i = 0; i < 1000; i++) {
      const h = join(home, `h${i}`);
      const key = backendKey(h);
      expect(Buffer.from(key.publicKey.split(' ')[1]!, 'base64').length, `key ${i}`).to.equal(51);
      rmSync(h, { recursive: true, force: true });
    }
  });

  it('generates an ed25519 key pair in OpenSSH format at <home>/keys/id_ed25519 (0600) and .pub', () => {
    const key = backendKey(home);
    const { privatePath, publicPath } = keyPaths(home);
    expect(key.privatePath).to.equal(privatePath);
    expect(statSync(privatePath).mode & 0o777).to.equal(0o600);
    expect(statSync(join(home, 'keys')).mode & 0o077).to.equal(0);
    expect(readFileSync(privatePath, 'utf8')).to.match(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(key.publicKey).to.match(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[A-Za-z0-9+/]+=* \S+$/);
    expect(readFileSync(publicPath, 'utf8')).to.equal(`${key.publicKey}\n`);
    expect(publicKeyLine(home)).to.equal(key.publicKey);
  });

  it('is a key ssh-keygen reads: same public key and the same SHA256 fingerprint', async () => {
    const key = backendKey(home);
    const derived = (await runProgram('ssh-keygen', ['-y', '-f', key.privatePath])).stdout.trim().split(' ').slice(0, 2).join(' ');
    expect(derived).to.equal(key.publicKey.split(' ').slice(0, 2).join(' '));
    const listed = (await runProgram('ssh-keygen', ['-l', '-E', 'sha256', '-f', key.publicPath])).stdout.split(' ')[1];
    expect(key.fingerprint).to.equal(listed);
  });

  it('keeps an existing key (also one made by ssh-keygen) instead of generating another', async () => {
    const first = backendKey(home);
    expect(backendKey(home).privateKey).to.equal(first.privateKey);
    const other = mkdtempSync(join(tmpdir(), 'aegir-keys-'));
    try {
      const { dir, privatePath } = keyPaths(other);
      await runProgram('mkdir', ['-p', dir]);
      await runProgram('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'made-by-ssh-keygen', '-f', privatePath]);
      const before = readFileSync(privatePath, 'utf8');
      const key = backendKey(other);
      expect(key.privateKey).to.equal(before);
      expect(key.publicKey).to.equal(readFileSync(`${privatePath}.pub`, 'utf8').trim());
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('rewrites a missing or stale .pub from the private key', () => {
    const key = backendKey(home);
    unlinkSync(key.publicPath);
    expect(backendKey(home).publicKey).to.equal(key.publicKey);
    expect(readFileSync(key.publicPath, 'utf8').trim()).to.equal(key.publicKey);
    writeFileSync(key.publicPath, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAttackerAttackerAttackerAttackerAttacker1 evil\n');
    backendKey(home);
    expect(readFileSync(key.publicPath, 'utf8').trim()).to.equal(key.publicKey);
  });

  it('makes a private key readable by others 0600 again', () => {
    const key = backendKey(home);
    chmodSync(key.privatePath, 0o644);
    backendKey(home);
    expect(statSync(key.privatePath).mode & 0o777).to.equal(0o600);
  });

  it('refuses a private key file it cannot use (ERR_PATH_INVALID) and leaves it in place', async () => {
    const { dir, privatePath } = keyPaths(home);
    await runProgram('mkdir', ['-p', dir]);
    writeFileSync(privatePath, 'not a key\n', { mode: 0o600 });
    await expectCode(() => backendKey(home), 'ERR_PATH_INVALID');
    expect(readFileSync(privatePath, 'utf8')).to.equal('not a key\n');
    await runProgram('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-f', join(dir, 'enc')]);
    writeFileSync(privatePath, readFileSync(join(dir, 'enc')));
    await expectCode(() => backendKey(home), 'ERR_PATH_INVALID');
  });
});
