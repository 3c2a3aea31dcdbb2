import semver from 'semver';
import { AegirError } from '../errors/aegir-error.js';
import { readJsonFile } from '../util/json-file.js';

/** What a module folder declares about itself in `module.json`. */
export interface Manifest {
  /** Machine name: lower case letters, digits and "_", starting with a letter. */
  readonly name: string;
  /** Human readable one-line description. */
  readonly description: string;
  /** Semantic version, or undefined when the manifest gives none (vcs-deploy may tell it). */
  readonly version: string | undefined;
  /** 'module', or 'profile' for an install profile (runs last). */
  readonly type: 'module' | 'profile';
  /** Dependencies by machine name, each with a semver range ('*' for any). */
  readonly dependencies: Readonly<Record<string, string>>;
  /** Required modules are installed with every site and cannot be disabled. */
  readonly required: boolean;
  /**
   * Global modules (provision and the services that plug into it) serve the
   * command line itself: their commands and hooks exist in every run of
   * this codebase's `aegir`, with or without a site, like drush extensions.
   */
  readonly global: boolean;
  /** Order among modules whose dependencies allow either order; lower runs first. */
  readonly weight: number;
  /** Range of framework core versions the module works with, if it says. */
  readonly core: string | undefined;
  /** Group name in listings. */
  readonly package: string;
  /** Entry file relative to the module folder (default `index.ts`). */
  readonly main: string;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const KNOWN = new Set(['name', 'description', 'version', 'type', 'dependencies', 'required', 'global', 'weight', 'core', 'package', 'main']);

/** Whether a string is a valid module machine name. */
export function isMachineName(name: string): boolean {
  return NAME.test(name);
}

/** Read and validate `module.json` at `path`; every problem is ERR_MANIFEST_INVALID naming the file. */
export function readManifest(path: string): Manifest {
  return parseManifest(readJsonFile(path, 'ERR_MANIFEST_INVALID'), path);
}

/** Validate a parsed manifest object. */
export function parseManifest(raw: unknown, path: string): Manifest {
  const bad = (problem: string): never => { throw new AegirError('ERR_MANIFEST_INVALID', { path, problem }); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('it must be a JSON object');
  const m = raw as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!KNOWN.has(key)) bad(`unknown key "${key}" (allowed: ${[...KNOWN].join(', ')})`);

  if (typeof m.name !== 'string' || !NAME.test(m.name)) bad('"name" must be a machine name (a-z, 0-9, _; starting with a letter)');
  if (typeof m.description !== 'string' || !m.description.trim()) bad('"description" must be a non-empty string');
  if (m.version !== undefined && (typeof m.version !== 'string' || !semver.valid(m.version))) bad(`"version" must be a semantic version such as 1.2.0`);
  if (m.type !== undefined && m.type !== 'module' && m.type !== 'profile') bad('"type" must be "module" or "profile"');
  if (m.required !== undefined && typeof m.required !== 'boolean') bad('"required" must be true or false');
  if (m.global !== undefined && typeof m.global !== 'boolean') bad('"global" must be true or false');
  if (m.weight !== undefined && (typeof m.weight !== 'number' || !Number.isInteger(m.weight))) bad('"weight" must be an integer');
  if (m.core !== undefined && (typeof m.core !== 'string' || !semver.validRange(m.core))) bad('"core" must be a semver range such as ^0.1');
  if (m.package !== undefined && typeof m.package !== 'string') bad('"package" must be a string');
  if (m.main !== undefined && (typeof m.main !== 'string' || !/^[\w./-]+\.(ts|js|mjs)$/.test(m.main) || m.main.startsWith('/') || m.main.split('/').includes('..'))) {
    bad('"main" must be a relative .ts or .js file inside the module folder');
  }
  const deps: Record<string, string> = {};
  if (m.dependencies !== undefined) {
    const d = m.dependencies;
    if (typeof d !== 'object' || d === null || Array.isArray(d)) bad('"dependencies" must be an object of name: version range');
    for (const [dep, range] of Object.entries(d as Record<string, unknown>)) {
      if (!NAME.test(dep)) bad(`dependency "${dep}" is not a machine name`);
      if (typeof range !== 'string' || !semver.validRange(range)) bad(`dependency "${dep}" has an invalid version range "${String(range)}"`);
      if (dep === m.name) bad('a module cannot depend on itself');
      deps[dep] = range as string;
    }
  }
  return Object.freeze({
    name: m.name as string,
    description: (m.description as string).trim(),
    version: m.version as string | undefined,
    type: (m.type as 'module' | 'profile' | undefined) ?? 'module',
    dependencies: Object.freeze(deps),
    required: (m.required as boolean | undefined) ?? false,
    global: (m.global as boolean | undefined) ?? false,
    weight: (m.weight as number | undefined) ?? 0,
    core: m.core as string | undefined,
    package: (m.package as string | undefined) ?? 'Other',
    main: (m.main as string | undefined) ?? 'index.ts',
  });
}
