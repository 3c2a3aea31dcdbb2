import { hook } from '../../core/hooks/kinds.js';
import type { Logger } from '../../core/logger/logger.js';

/** Where a reported version came from: module.json, or version control (vcs_deploy); other modules may name their own source. */
export type VersionOrigin = 'manifest' | 'vcs' | (string & {});

/**
 * One thing whose version a command reports: a module, an install profile,
 * or the platform itself (the codebase root). `version` and `versionOrigin`
 * start as the manifest says (undefined when it says nothing) and are what
 * implementations of `system.versions` may change.
 */
export interface VersionSubject {
  /** Machine name of the module or profile; '' for the platform. */
  readonly name: string;
  readonly type: 'module' | 'profile' | 'platform';
  /** Absolute folder: the module's, or the codebase root for the platform. */
  readonly dir: string;
  /** What module.json says (always undefined for the platform). */
  readonly manifestVersion: string | undefined;
  /** The version to report: a semantic version (build metadata allowed), or undefined when unknown. */
  version: string | undefined;
  /** Where `version` came from; undefined while it is unknown. */
  versionOrigin: VersionOrigin | undefined;
}

/** What `system.versions` implementations get. */
export interface VersionsEvent {
  /** The codebase root. */
  readonly root: string;
  /** Every subject of the command, platform first; implementations change them in place. */
  readonly subjects: VersionSubject[];
  readonly logger: Logger;
}

/**
 * Hooks of the system module.
 * - `system.versions` (event, in module order): refine the versions that
 *   `platform-info` and `pm-list` report. Each implementation changes the
 *   subjects' `version` and `versionOrigin` in place and sees what earlier
 *   ones set. It is an event rather than an alter hook because alter hooks
 *   are synchronous and a version may need a process (vcs_deploy asks
 *   git). It runs on the command line's own kernel (required and global
 *   modules), whether or not a site is booted: versions belong to the
 *   codebase, not to a site. An implementation that cannot tell leaves a
 *   subject as it is; a failure fails the command.
 */
export const systemHooks = {
  'system.versions': hook.event<VersionsEvent>('Refine the versions platform-info and pm-list report (module, profile, platform): change each subject\'s version and versionOrigin in place.'),
} as const;

/** Types of the system module's hooks. */
export type SystemHooks = typeof systemHooks;

declare module '../../core/hooks/hook-map.js' {
  interface HookMap extends SystemHooks {}
}
