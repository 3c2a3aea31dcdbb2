/**
 * `aegir module-create`: each kind of skeleton, written into a throw-away
 * codebase, type-checks with the repository's compiler settings and its own
 * generated test passes under mocha run from that codebase's root (core and
 * modules are symlinks to this repository, so the generated relative
 * imports resolve). Bad input is refused with a coded error that says what
 * to fix, and leaves no folder behind.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeAtomically } from '../../modules/system/commands/module-create.js';
import { makeCodebase, REPO, type TestCodebase } from '../harness/codebase.js';
import { expectCode } from '../harness/expect.js';
import { cli, show, type CliRun } from '../cli/run-helper.js';

const run = promisify(execFile);

/** Each kind with the options that ask for it and the files it writes besides module.json, index.ts and the test. */
const KINDS = [
  { name: 'demo_plain', options: [], files: ['hello.ts'] },
  { name: 'demo_http', options: ['--service=http'], files: ['service.ts'] },
  { name: 'demo_db', options: ['--service=db'], files: ['service.ts'] },
  { name: 'demo_app', options: ['--service=app'], files: ['service.ts'] },
  { name: 'demo_task', options: ['--task'], files: ['task.ts'] },
  { name: 'demo_node', options: ['--node-type'], files: ['node-type.ts'] },
] as const;

/** The code and message of a failed --backend run (its last line). */
function failure(r: CliRun): { code: string; message: string } {
  const last = r.lines.at(-1) as { type?: string; status?: string; error?: { code: string; message: string } } | undefined;
  expect(last?.status, show(r)).to.equal('error');
  return last!.error!;
}

/** Module folders and leftovers of sites/all/modules (hidden temp folders included). */
const contents = (tc: TestCodebase): string[] => readdirSync(join(tc.root, 'sites', 'all', 'modules')).sort();

describe('aegir module-create: typed skeletons of contrib modules', function () {
  this.timeout(120_000);

  describe('each kind type-checks and its generated test passes', () => {
    let tc: TestCodebase;
    const written = new Map<string, CliRun>();

    before(async () => {
      tc = makeCodebase();
      // What a checkout of the framework has at its root besides code: package.json (ES modules), and the
      // mocha settings (tsx, root hooks, reporter) a contrib author runs the generated test with.
      for (const f of ['package.json', '.mocharc.json', 'test']) symlinkSync(join(REPO, f), join(tc.root, f));
      for (const k of KINDS) written.set(k.name, await cli(tc.root, ['module-create', k.name, ...k.options]));
    });
    after(() => tc?.cleanup());

    for (const k of KINDS) {
      it(`${k.options[0] ?? '(no option)'}: writes module.json, index.ts, ${k.files.join(', ')} and ${k.name}.test.ts, and says what to do next`, () => {
        const r = written.get(k.name)!;
        expect(r.code, show(r)).to.equal(0);
        const dir = join(tc.root, 'sites', 'all', 'modules', k.name);
        expect(readdirSync(dir).sort()).to.deep.equal(['index.ts', 'module.json', `${k.name}.test.ts`, ...k.files].sort());
        for (const f of readdirSync(dir)) expect(r.stdout).to.include(`sites/all/modules/${k.name}/${f}`);
        expect(r.stdout).to.include(`npx mocha sites/all/modules/${k.name}/${k.name}.test.ts`).and.include(`aegir pm-enable ${k.name}`);
      });
    }

    it('every skeleton type-checks with the repository\'s compiler settings', async () => {
      writeFileSync(join(tc.root, 'tsconfig.json'), JSON.stringify({
        extends: join(REPO, 'tsconfig.json'),
        include: KINDS.map((k) => `sites/all/modules/${k.name}`),
      }));
      const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
      const out = await run(process.execPath, [tsc, '--noEmit', '-p', join(tc.root, 'tsconfig.json')], { cwd: tc.root, timeout: 90_000 })
        .catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout ?? ''}${e.stderr ?? ''}`, failed: true }));
      expect(out, out.stdout).to.not.have.property('failed');
    });

    for (const k of KINDS) {
      it(`${k.options[0] ?? '(no option)'}: npx mocha sites/all/modules/${k.name}/${k.name}.test.ts passes in the codebase`, async () => {
        const mocha = join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');
        const out = await run(process.execPath, [mocha, `sites/all/modules/${k.name}/${k.name}.test.ts`], { cwd: tc.root, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } })
          .catch((e: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: `exit ${e.code}\n${e.stdout ?? ''}${e.stderr ?? ''}` }));
        expect(out.stdout).to.match(/^mocha: [1-9]\d* passed, 0 failed, 0 skipped$/m);
      });
    }
  });

  describe('the db and app skeletons', () => {
    let tc: TestCodebase;
    before(async function () {
      this.timeout(60_000);
      tc = makeCodebase();
      for (const k of ['db', 'app']) expect((await cli(tc.root, ['module-create', `todo_${k}`, `--service=${k}`])).code).to.equal(0);
    });
    after(() => tc?.cleanup());

    it('every method still to write fails with ERR_NOT_IMPLEMENTED, saying what it must do and where', async () => {
      for (const k of ['db', 'app']) {
        const mod = (await import(pathToFileURL(join(tc.root, 'sites', 'all', 'modules', `todo_${k}`, 'service.ts')).href)) as Record<string, { verify(env: never): Promise<string> }>;
        const service = mod[`todo${k[0]!.toUpperCase()}${k.slice(1)}Service`]!;
        const e = await expectCode(service.verify({} as never), 'ERR_NOT_IMPLEMENTED');
        expect(e.message).to.contain(`todo_${k}`).and.contain('verify').and.contain(`sites/all/modules/todo_${k}/service.ts`);
      }
    });
  });

  describe('bad input is refused, with what to fix, and nothing is written', () => {
    let tc: TestCodebase;
    beforeEach(() => { tc = makeCodebase(); });
    afterEach(() => tc.cleanup());

    const refused = async (argv: string[], code: string, advice: RegExp): Promise<void> => {
      const before = contents(tc);
      const e = failure(await cli(tc.root, ['--backend', 'module-create', ...argv]));
      expect(e.code, e.message).to.equal(code);
      expect(e.message).to.match(advice);
      expect(contents(tc), 'sites/all/modules unchanged').to.deep.equal(before);
    };

    it('a name that is no machine name (capitals, a dash, one letter, a leading digit, 51 characters)', async () => {
      for (const bad of ['MyModule', 'my-module', 'm', '1st', `m${'x'.repeat(50)}`]) {
        await refused([bad], 'ERR_CLI_ARGUMENT_INVALID', /not a machine name: use 2 to 50 lower case letters, digits and "_".*such as my_module/);
      }
    });

    it('a name a shipped module, a contrib module or a module of a site folder has', async () => {
      await refused(['system'], 'ERR_CLI_ARGUMENT_INVALID', /"system" exists already \(modules\/system\); choose another name/);
      expect((await cli(tc.root, ['module-create', 'mine'])).code).to.equal(0);
      await refused(['mine', '--task'], 'ERR_CLI_ARGUMENT_INVALID', /"mine" exists already \(sites\/all\/modules\/mine\); choose another name/);
      mkdirSync(join(tc.root, 'sites', 'example.test', 'modules', 'local_only'), { recursive: true });
      writeFileSync(join(tc.root, 'sites', 'example.test', 'modules', 'local_only', 'module.json'), JSON.stringify({ name: 'local_only', description: 'A site\'s own.' }));
      await refused(['local_only'], 'ERR_CLI_ARGUMENT_INVALID', /"local_only" exists already \(sites\/example.test\/modules\/local_only\)/);
    });

    it('a folder sites/all/modules/NAME that exists already (no module in it): left as it was', async () => {
      mkdirSync(join(tc.root, 'sites', 'all', 'modules', 'draft', 'notes'), { recursive: true });
      await refused(['draft'], 'ERR_CLI_ARGUMENT_INVALID', /sites\/all\/modules\/draft exists already; choose another name, or remove that folder/);
      expect(readdirSync(join(tc.root, 'sites', 'all', 'modules', 'draft'))).to.deep.equal(['notes']);
    });

    it('--service of another kind than http, db or app', async () => {
      await refused(['my_web', '--service=ftp'], 'ERR_CLI_OPTION_VALUE', /--service .*"ftp" is not one of http, db, app/);
      expect(existsSync(join(tc.root, 'sites', 'all', 'modules', 'my_web'))).to.equal(false);
    });

    it('more than one kind option', async () => {
      await refused(['both', '--task', '--node-type'], 'ERR_CLI_OPTION_VALUE', /give at most one of --service, --task and --node-type \(got --task, --node-type\)/);
      await refused(['both', '--service=db', '--task'], 'ERR_CLI_OPTION_VALUE', /at most one/);
      await refused([`s${'x'.repeat(32)}`, '--service=http'], 'ERR_CLI_ARGUMENT_INVALID', /at most 32 characters: choose a shorter name/);
    });

    it('a write that fails half way leaves neither the module nor its temporary folder', async () => {
      const target = join(tc.root, 'sites', 'all', 'modules', 'half');
      const before = contents(tc);
      // The second file of one name cannot be written (files are created exclusively).
      expect(() => writeAtomically(target, [{ path: 'index.ts', text: '' }, { path: 'index.ts', text: '' }])).to.throw(/EEXIST/);
      expect(contents(tc)).to.deep.equal(before);
    });
  });
});
