/**
 * Bad input on the way of versions: a system.versions implementation that
 * reports no semantic version, a pm-list or platform-info report that is
 * not what it should be (read by the back end and again by the front end).
 */
import { expect } from 'chai';
import type { CommandContext } from '../../../core/cli/command.js';
import { Kernel } from '../../../core/kernel/kernel.js';
import { Logger, memorySink, type LogEntry } from '../../../core/logger/logger.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import type { TaskEndEvent } from '../../../modules/hosting/hooks.js';
import { readPlatformReport } from '../../../modules/hosting/objects/package-node.js';
import { recordSiteModules } from '../../../modules/hosting/tasks/reactions.js';
import type { ModuleDefinition } from '../../../core/modules/definition.js';
import { siteModules } from '../../../modules/provision/tasks/site-install.js';
import type { SiteTaskContext } from '../../../modules/provision/tasks/site-context.js';
import { readModuleReports } from '../../../modules/system/module-report.js';
import system from '../../../modules/system/index.js';
import { resolveVersions } from '../../../modules/system/versions.js';
import { expectCode } from '../../harness/expect.js';

const row = (over: Record<string, unknown> = {}) => ({ name: 'demo', type: 'module', version: '1.0.0', versionOrigin: 'vcs', origin: 'core', package: 'Other', status: 'enabled', path: '/x', ...over });

describe('versions: bad reports are refused with what is wrong', () => {
  it('pm-list rows: normalised ("unknown" is null), and each kind of bad row named', () => {
    expect(readModuleReports([row(), row({ name: 'other', version: 'unknown', versionOrigin: null, origin: 'site' })])).to.deep.equal({
      modules: [
        { name: 'demo', type: 'module', version: '1.0.0', versionOrigin: 'vcs', origin: 'core' },
        { name: 'other', type: 'module', version: null, versionOrigin: null, origin: 'site' },
      ],
    });
    const bad: [unknown, RegExp][] = [
      [{ not: 'a list' }, /not a list/],
      [[row({ name: 'Bad-Name' })], /row 1 \(Bad-Name\): the name/],
      [[row({ type: 'theme' })], /type/],
      [[row(), row()], /row 2 \(demo\): listed twice/],
      [[row({ version: '1.0' })], /no semantic version/],
      [[row({ version: `1.0.0+${'a'.repeat(64)}` })], /at most 64/],
      [[row({ versionOrigin: 'Git Hub; rm' })], /versionOrigin/],
      [[row({ origin: '../etc' })], /origin must be one of/],
      [['text'], /row 1: the name/],
      [Array.from({ length: 2001 }, (_, i) => row({ name: `m${i}` })), /more than 2000/],
    ];
    for (const [raw, problem] of bad) {
      const r = readModuleReports(raw);
      expect('problem' in r && r.problem, JSON.stringify(raw).slice(0, 80)).to.match(problem);
    }
  });

  it('a platform verify\'s report: the platform\'s version, its origin, modules and profiles checked whole', () => {
    const good = { core: '0.1.0', version: '1.1.0+2.gabcdef0123', versionOrigin: 'vcs', root: '/p', modules: [row()], profiles: ['minimal'], sites: [], app: null };
    expect(readPlatformReport(good)).to.have.property('report').that.deep.includes({ version: '1.1.0+2.gabcdef0123', versionOrigin: 'vcs', profiles: ['minimal'] });
    expect(readPlatformReport({ ...good, version: null, versionOrigin: 'vcs' })).to.have.property('report').that.deep.includes({ version: null, versionOrigin: null });
    for (const [over, problem] of [
      [{ core: 'x' }, /core/], [{ version: 'v1' }, /version/], [{ versionOrigin: 7 }, /versionOrigin/],
      [{ modules: [row({ type: 'x' })] }, /^modules: row 1/], [{ profiles: ['ok', '../x'] }, /profiles/],
    ] as const) {
      const r = readPlatformReport({ ...good, ...over });
      expect('problem' in r && r.problem, JSON.stringify(over)).to.match(problem);
    }
  });

  it('a site task reads the platform\'s pm-list as an argument array; output that is no valid report is a warning (ERR_PLATFORM_OUTPUT_INVALID) and no list', async () => {
    const calls: (readonly string[])[] = [];
    const ctxFor = (stdout: string, logs: LogEntry[]) => ({
      site: { name: 'a.test' }, platform: { name: 'platform_p', root: '/srv/p' }, logger: new Logger(memorySink(logs), 'debug'),
      appExec: { local: true, run: async (argv: readonly string[]) => { calls.push(argv); return { stdout, stderr: '', code: 0 }; } },
    }) as unknown as SiteTaskContext;
    expect(await siteModules(ctxFor(JSON.stringify([row()]), []))).to.deep.equal([{ name: 'demo', type: 'module', version: '1.0.0', versionOrigin: 'vcs', origin: 'core' }]);
    expect(calls[0]!.slice(1)).to.deep.equal(['/srv/p/bin/aegir', '--uri=a.test', 'pm-list', '--status=enabled', '--format=json', '-q']);
    for (const out of ['not json', JSON.stringify([row({ origin: 'elsewhere' })])]) {
      const logs: LogEntry[] = [];
      expect(await siteModules(ctxFor(out, logs))).to.equal(undefined);
      const warned = /\[(ERR_[A-Z_]+)\]/.exec(logs.filter((l) => l.level === 'warning').map((l) => l.message).join('\n'));
      expect(warned?.[1]).to.equal('ERR_PLATFORM_OUTPUT_INVALID');
    }
  });

  it('the front end refuses a site\'s module list that is not valid, whole (ERR_BACKEND_REPORT_INVALID), and ignores a report without one', async () => {
    const event = (output: unknown) => ({
      task: { taskType: 'verify' }, object: { kind: 'site', nid: 1, title: 'a.test' }, output,
      site: { db: { transaction: () => { throw new Error('nothing may be written'); } } },
    }) as unknown as TaskEndEvent;
    await expectCode(recordSiteModules(event({ modules: [row({ version: 'not a version' })] })), 'ERR_BACKEND_REPORT_INVALID');
    await recordSiteModules(event({ site: 'a.test' }));
  });

  it('a system.versions implementation that reports no semantic version fails the command (ERR_VERSION_INVALID)', async () => {
    const broken: ModuleDefinition = { register: (api) => api.on('system.versions', (e) => { for (const s of e.subjects) s.version = 'latest'; }) };
    const manifest = (name: string) => parseManifest({ name, description: name, version: '1.0.0' }, `${name}/module.json`);
    const kernel = Kernel.create([
      { name: 'system', manifest: manifest('system'), dir: '/s', definition: system },
      { name: 'broken', manifest: manifest('broken'), dir: '/b', definition: broken },
    ]);
    const ctx = { site: undefined, kernel, codebase: { root: '/nowhere' }, logger: new Logger(memorySink([]), 'error') } as unknown as CommandContext;
    await expectCode(resolveVersions(ctx, []), 'ERR_VERSION_INVALID');
  });
});
