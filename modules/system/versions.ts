import semver from 'semver';
import type { CommandContext } from '../../core/cli/command.js';
import { AegirError } from '../../core/errors/aegir-error.js';
import type { DiscoveredModule } from '../../core/modules/discovery.js';
import { orderModules, withDependencies } from '../../core/modules/graph.js';
import { Kernel } from '../../core/kernel/kernel.js';
import type { VersionSubject } from './hooks.js';

/** A module's or the platform's version as platform-info and pm-list report it. */
export interface ReportedVersion {
  readonly version: string | null;
  /** 'manifest', 'vcs', ...; null while the version is unknown. */
  readonly versionOrigin: string | null;
}

/**
 * The kernel whose `system.versions` implementations refine versions: the
 * command line's own (required and global modules, as vcs_deploy is). A
 * command run without a site already has it; with a site booted, the
 * command has the site's kernel, which holds only what the site enabled,
 * so the command line's kernel is built from the same codebase (its
 * modules are loaded already: this is a registration pass, no I/O).
 */
async function versionsKernel(ctx: CommandContext): Promise<Kernel> {
  if (!ctx.site) return ctx.kernel;
  const catalog = ctx.codebase.modules(undefined, undefined);
  const wanted = [...catalog.values()].filter((m) => (m.manifest.required || m.manifest.global) && m.manifest.type === 'module').map((m) => m.manifest.name);
  return Kernel.create(await ctx.codebase.load(catalog, orderModules(catalog, withDependencies(catalog, wanted))), catalog.keys());
}

/**
 * The versions of the platform (the codebase root) and of the given
 * modules, as module.json says and as `system.versions` implementations
 * refine them. The platform's is under the key '' and each module's under
 * its machine name.
 */
export async function resolveVersions(ctx: CommandContext, modules: Iterable<DiscoveredModule>): Promise<Map<string, ReportedVersion>> {
  const subjects: VersionSubject[] = [{ name: '', type: 'platform', dir: ctx.codebase.root, manifestVersion: undefined, version: undefined, versionOrigin: undefined }];
  for (const m of modules) {
    const v = m.manifest.version;
    subjects.push({ name: m.manifest.name, type: m.manifest.type, dir: m.dir, manifestVersion: v, version: v, versionOrigin: v === undefined ? undefined : 'manifest' });
  }
  const kernel = await versionsKernel(ctx);
  if (kernel.hooks.has('system.versions')) await kernel.hooks.emit('system.versions', { root: ctx.codebase.root, subjects, logger: ctx.logger });
  const out = new Map<string, ReportedVersion>();
  for (const s of subjects) {
    const version = s.version ?? null;
    if (version !== null && !isReportableVersion(version)) {
      throw new AegirError('ERR_VERSION_INVALID', { version: String(version).slice(0, 80), subject: s.type === 'platform' ? `the platform ${s.dir}` : `${s.type} ${s.name}` });
    }
    out.set(s.name, { version, versionOrigin: version === null ? null : (s.versionOrigin ?? null) });
  }
  return out;
}

/** Whether a version may be reported: a semantic version (build metadata allowed) of at most 64 characters. */
export function isReportableVersion(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 64 && semver.valid(v) !== null;
}
