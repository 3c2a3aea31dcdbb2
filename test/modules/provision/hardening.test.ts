/**
 * Regression tests for defects found when the back end was tried as a new
 * user and an attacker would: each named after what it stops.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, show } from '../../cli/run-helper.js';
import { makeCodebase, REPO, type TestCodebase } from '../../harness/codebase.js';
import { codebaseRepo } from './git-codebase.js';
import { provisionEnv, type ProvisionEnv } from './env.js';
import { leftovers } from './leftovers.js';


describe('provision hardening: platforms', function () {
  this.timeout(120_000);
  let pe: ProvisionEnv;
  let repo: string;
  let scratch: string;
  before(async () => {
    pe = await provisionEnv('sqlite');
    repo = codebaseRepo();
    scratch = mkdtempSync(join(tmpdir(), 'aegir-scratch-'));
  });
  after(async () => {
    await pe.stop();
    rmSync(repo, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });
  const savePlatform = (name: string, root: string, extra: string[] = []) =>
    pe.aegir(['provision-save', `@${name}`, '--context-type=platform', '--server=@server_master', `--platform-root=${root}`, '--backend', ...extra]);

  it('platform-delete-foreign-code: a platform saved with a git source over a folder that was there keeps that folder when deleted', async () => {
    const root = join(scratch, 'mine');
    // A codebase that is somebody's own, with their file in it.
    execFileSync('git', ['clone', '--quiet', repo, root]);
    writeFileSync(join(root, 'precious.txt'), 'mine');
    const s = await savePlatform('platform_foreign', root, [`--git-url=${repo}`, '--git-ref=main']);
    expect(s.code, show(s)).to.equal(0);
    expect(s.stderr + s.stdout).to.include('already exists');
    const v = await pe.aegir(['@platform_foreign', 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    const d = await pe.aegir(['@platform_foreign', 'provision-delete']);
    expect(d.code, show(d)).to.equal(0);
    expect(d.stderr).to.include('left in place');
    expect(readFileSync(join(root, 'precious.txt'), 'utf8')).to.equal('mine');
    expect(existsSync(join(pe.home, 'contexts', 'platform_foreign.json'))).to.equal(false);
  });

  it('a platform the back end fetched from git is removed with its code, and its record with it', async () => {
    const root = join(scratch, 'fetched', 'code');
    expect((await savePlatform('platform_fetched', root, [`--git-url=${repo}`, '--git-ref=main'])).code).to.equal(0);
    const v = await pe.aegir(['@platform_fetched', 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    expect(existsSync(join(pe.home, 'fetched', 'platform_fetched.json'))).to.equal(true);
    const d = await pe.aegir(['@platform_fetched', 'provision-delete']);
    expect(d.code, show(d)).to.equal(0);
    expect(existsSync(root)).to.equal(false);
    expect(existsSync(join(pe.home, 'fetched', 'platform_fetched.json'))).to.equal(false);
  });

  it('platform-root: provision-save refuses a root that would put more than a platform at risk, naming why', async () => {
    const cases: [string, RegExp][] = [
      ['/', /root folder/],
      ['/etc', /system folder \/etc/],
      ['/usr/local', /system folder/],
      ['/var/www', /system folder/],
      ['/home/alice', /home folder of a user/],
      [pe.home, /is the Aegir home/],
      [join(pe.home, '..'), /system folder \/tmp|holds the Aegir home/],
      [join(pe.home, 'secrets', 'x'), /secrets\/ folder/],
      [pe.platform.root, /already the root of @platform_test/],
      [join(pe.platform.root, 'modules'), /inside the platform @platform_test/],
    ];
    for (const [root, why] of cases) {
      const r = await savePlatform('platform_risky', root);
      expect(r.code, `${root}: ${show(r)}`).to.equal(1);
      const err = (r.lines.at(-1) as { error?: { code?: string; message?: string } }).error;
      expect(err?.code, root).to.equal('ERR_CONTEXT_INVALID');
      expect(err?.message, root).to.match(why);
    }
    expect(existsSync(join(pe.home, 'contexts', 'platform_risky.json'))).to.equal(false);
  });

  it('path-traversal: a root with ".." is refused with a message that names the ".."', async () => {
    const r = await savePlatform('platform_dots', '/srv/platforms/../../etc');
    expect(r.code).to.equal(1);
    const err = (r.lines.at(-1) as { error?: { code?: string; message?: string } }).error;
    expect(err?.code).to.equal('ERR_CONTEXT_INVALID');
    expect(err?.message).to.include('".."');
    const sp = await savePlatform('platform_space', '/srv/plat forms');
    expect((sp.lines.at(-1) as { error?: { message?: string } }).error?.message).to.match(/" " at position 10/);
  });

  it('provision-save -q prints nothing; --format=json gives the context', async () => {
    const q = await pe.aegir(['provision-save', '@platform_quiet', '--context-type=platform', '--server=@server_master', `--platform-root=${join(scratch, 'quiet')}`, '-q']);
    expect(q.code, show(q)).to.equal(0);
    expect(q.stdout + q.stderr).to.equal('');
    const j = await pe.aegir(['provision-save', '@platform_quiet', '--context-type=platform', '--format=json']);
    expect(json<{ root: string }>(j).root).to.equal(join(scratch, 'quiet'));
  });
});

describe('provision hardening: tasks that meet on a name', function () {
  this.timeout(300_000);
  let pe: ProvisionEnv;
  let two: TestCodebase;
  before(async () => {
    pe = await provisionEnv('sqlite');
    two = makeCodebase({ fixtures: false });
    symlinkSync(join(REPO, 'bin'), join(two.root, 'bin'));
    for (const argv of [
      ['provision-save', '@platform_two', '--context-type=platform', '--server=@server_master', `--platform-root=${two.root}`],
      ...['a.test', 'b.test'].map((d) => ['provision-save', `@${d}`, '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal']),
      ['@a.test', 'provision-install'], ['@b.test', 'provision-install'],
    ]) {
      const r = await pe.aegir(argv);
      expect(r.code, show(r)).to.equal(0);
    }
  });
  after(async () => {
    await pe.stop();
    two.cleanup();
  });

  /** Start two command lines at once; both results. */
  const together = async (a: string[], b: string[]) => Promise.all([pe.spawn([...a, '--backend']).done, pe.spawn([...b, '--backend']).done]);
  const REFUSED = ['ERR_TASK_BUSY', 'ERR_SITE_EXISTS', 'ERR_CONTEXT_INVALID'];

  const pairs: [string, string[], string[]][] = [
    ['two clones', ['@a.test', 'provision-clone', '--new-name=twin.test'], ['@b.test', 'provision-clone', '--new-name=twin.test']],
    ['a clone and a migrate', ['@a.test', 'provision-clone', '--new-name=twin.test'], ['@b.test', 'provision-migrate', '--new-name=twin.test']],
  ];
  for (const [what, first, second] of pairs) {
    it(`race: ${what} to one new domain, started together five times: exactly one wins, the other is refused before any change`, async () => {
      const clean = await leftovers(pe, { platforms: [two.root] });
      for (let i = 0; i < 5; i++) {
        const [x, y] = await together(first, second);
        const wins = [x, y].filter((r) => r.code === 0);
        expect(wins.length, `round ${i}: ${x.stderr}\n${y.stderr}`).to.equal(1);
        const loser = x.code === 0 ? y : x;
        expect(REFUSED, loser.stderr).to.include(loser.error);
        expect(await pe.status('twin.test')).to.equal(200);
        // Put things back: the winner's twin goes, a migrated b.test comes back under its name.
        const del = await pe.aegir(['@twin.test', 'provision-delete']);
        expect(del.code, show(del)).to.equal(0);
        if (!existsSync(join(pe.home, 'contexts', 'b.test.json'))) {
          expect((await pe.aegir(['@a.test', 'provision-clone', '--new-name=b.test'])).code).to.equal(0);
        }
        expect(await leftovers(pe, { platforms: [two.root] }), `round ${i}`).to.deep.equal(clean);
      }
    });
  }

  it('race: a clone to a new domain beside that domain being saved and installed: one site in the end, nothing unrecorded', async () => {
    const clean = await leftovers(pe, { platforms: [two.root] });
    for (let i = 0; i < 3; i++) {
      const saveAndInstall = async () => {
        const s1 = await pe.spawn(['provision-save', '@twin.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal', '--backend']).done;
        return s1.code === 0 ? pe.spawn(['@twin.test', 'provision-install', '--backend']).done : s1;
      };
      const [clone, install] = await Promise.all([pe.spawn(['@a.test', 'provision-clone', '--new-name=twin.test', '--backend']).done, saveAndInstall()]);
      expect([clone, install].filter((r) => r.code === 0).length, `${clone.stderr}\n${install.stderr}`).to.be.at.most(1);
      for (const r of [clone, install]) if (r.code !== 0) expect(['ERR_TASK_BUSY', 'ERR_SITE_EXISTS', 'ERR_SITE_DIR_EXISTS'], r.stderr).to.include(r.error);
      if (clone.code === 0 || install.code === 0) expect(await pe.status('twin.test')).to.equal(200);
      const del = await pe.aegir(['@twin.test', 'provision-delete']);
      expect(del.code, show(del)).to.equal(0);
      expect(await leftovers(pe, { platforms: [two.root] }), `round ${i}`).to.deep.equal(clean);
    }
  });

  it('race: a platform delete beside a clone onto that platform, started together: never a site left on a deleted platform', async () => {
    for (let i = 0; i < 5; i++) {
      const three = makeCodebase({ fixtures: false });
      symlinkSync(join(REPO, 'bin'), join(three.root, 'bin'));
      try {
        expect((await pe.aegir(['provision-save', '@platform_three', '--context-type=platform', '--server=@server_master', `--platform-root=${three.root}`])).code).to.equal(0);
        const [del, clone] = await together(['@platform_three', 'provision-delete'], ['@a.test', 'provision-clone', '--new-name=moved.test', '--platform=@platform_three']);
        expect([del, clone].filter((r) => r.code === 0).length, `${del.stderr}\n${clone.stderr}`).to.equal(1);
        const platformLeft = existsSync(join(pe.home, 'contexts', 'platform_three.json'));
        if (del.code === 0) {
          expect(['ERR_TASK_BUSY', 'ERR_CONTEXT_UNKNOWN']).to.include(clone.error);
          expect(platformLeft).to.equal(false);
          expect(existsSync(join(pe.home, 'contexts', 'moved.test.json'))).to.equal(false);
          expect(existsSync(join(three.root, 'sites', 'moved.test'))).to.equal(false);
        } else {
          expect(['ERR_TASK_BUSY', 'ERR_CONTEXT_IN_USE']).to.include(del.error);
          expect(platformLeft).to.equal(true);
          expect(await pe.status('moved.test')).to.equal(200);
          expect((await pe.aegir(['@moved.test', 'provision-delete'])).code).to.equal(0);
          expect((await pe.aegir(['@platform_three', 'provision-delete'])).code).to.equal(0);
        }
      } finally {
        three.cleanup();
      }
    }
  });

  it('a task on a name an interrupted task holds is refused with ERR_TASK_BUSY naming the holder and how to recover it', async () => {
    const killed = await pe.spawn(['@a.test', 'provision-clone', '--new-name=held.test'], { AEGIR_FAULT: 'clone:4:kill' }).done;
    expect(killed.signal).to.equal('SIGKILL');
    // Not even its context can be written while the clone holds the name.
    const saveArgs = ['provision-save', '@held.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal'];
    const r = await pe.aegir([...saveArgs, '--backend']);
    expect(r.code).to.equal(1);
    const err = (r.lines.at(-1) as { error?: { code?: string; message?: string } }).error;
    expect(err?.code).to.equal('ERR_TASK_BUSY');
    expect(err?.message).to.include('@a.test').and.include('provision-verify');
    // Recovering the holder frees the name.
    const v = await pe.aegir(['@a.test', 'provision-verify']);
    expect(v.code, show(v)).to.equal(0);
    expect(v.stderr).to.include('was interrupted');
    expect((await pe.aegir(saveArgs)).code).to.equal(0);
    const i = await pe.aegir(['@held.test', 'provision-install']);
    expect(i.code, show(i)).to.equal(0);
    expect((await pe.aegir(['@held.test', 'provision-delete'])).code).to.equal(0);
  });

  it('alias: a migrate to another platform of the same server points the site\'s alias there (aegir @site status says it is installed)', async () => {
    const m = await pe.aegir(['@b.test', 'provision-migrate', '--platform=@platform_two']);
    expect(m.code, show(m)).to.equal(0);
    expect(JSON.parse(readFileSync(join(pe.home, 'aliases', 'b.test.json'), 'utf8')).root).to.equal(two.root);
    const st = await pe.aegir(['@b.test', 'status', '--format=json']);
    expect(st.code, show(st)).to.equal(0);
    expect(st.stdout).to.include(two.root);
    expect(json<{ installed?: boolean }>(st).installed, st.stdout).to.not.equal(false);
    const back = await pe.aegir(['@b.test', 'provision-migrate', '--platform=@platform_test']);
    expect(back.code, show(back)).to.equal(0);
    expect(JSON.parse(readFileSync(join(pe.home, 'aliases', 'b.test.json'), 'utf8')).root).to.equal(pe.platform.root);
  });

  it('verify-leftover: a failed verify of a site that is not installed leaves no route (ERR_SITE_NOT_INSTALLED)', async () => {
    expect((await pe.aegir(['provision-save', '@notyet.test', '--context-type=site', '--platform=@platform_test', '--db-server=@server_master', '--profile=minimal'])).code).to.equal(0);
    const before = await leftovers(pe);
    const r = await pe.aegir(['@notyet.test', 'provision-verify', '--backend']);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.include('ERR_SITE_NOT_INSTALLED');
    expect(await leftovers(pe)).to.deep.equal(before);
    expect(await pe.status('notyet.test')).to.equal(404);
  });

  it('verify-leftover: a verify that fails after writing a vhost where there was none takes it back, and says so', async () => {
    const routes = join(pe.home, 'run', 'proxy-routes.json');
    const saved = readFileSync(routes, 'utf8');
    const without = JSON.parse(saved) as { sites: Record<string, unknown> };
    delete without.sites['a.test'];
    writeFileSync(routes, JSON.stringify(without));
    const r = await pe.aegir(['@a.test', 'provision-verify'], { AEGIR_FAULT: 'verify:3:fail' });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('Undone: Start the platform');
    expect(Object.keys((JSON.parse(readFileSync(routes, 'utf8')) as { sites: object }).sites)).to.not.include('a.test');
    // A verify that fails where the vhost was there leaves it.
    const ok = await pe.aegir(['@a.test', 'provision-verify']);
    expect(ok.code, show(ok)).to.equal(0);
    const again = await pe.aegir(['@a.test', 'provision-verify'], { AEGIR_FAULT: 'verify:3:fail' });
    expect(again.stderr).to.not.include('Undone');
    expect(await pe.status('a.test')).to.equal(200);
  });
});
