import type { HookDeclarations, Implementation } from '../hooks/kinds.js';
import type { HookMap, HookName } from '../hooks/hook-map.js';
import type { TapOptions } from '../hooks/bus.js';
import type { SchemaDefinition } from '../database/schema.js';
import type { SiteContext } from '../site/context.js';

/** What a module's `register` receives: its name and a way to implement hooks. */
export interface ModuleApi {
  /** The module's machine name (the tap name of all its implementations). */
  readonly name: string;
  /** The module's folder: where its templates and other files are (also in the compiled program, which bundles only code). */
  readonly dir: string;
  /** Implement a hook declared by core or by any module. */
  on<N extends HookName>(hook: N, fn: Implementation<HookMap[N]>, options?: TapOptions): void;
}

/** A numbered schema or data update; `updatedb` runs the pending ones in order. */
export interface UpdateDefinition {
  /** What the update changes, shown before it runs. */
  readonly description: string;
  run(site: SiteContext): Promise<void> | void;
}

/** The account site-install creates as user 1, and the site's name. */
export interface InstallInput {
  readonly profile: string;
  readonly siteName: string;
  readonly siteMail: string;
  readonly account: { readonly name: string; readonly mail: string; readonly pass: string };
}

/** A step of site-install after the modules are installed (create the admin account, default content). */
export interface InstallStep {
  /** Machine name, unique within the install. */
  readonly name: string;
  /** What the step does, for progress output. */
  readonly title: string;
  run(site: SiteContext, input: InstallInput): Promise<void> | void;
}

/**
 * Everything a module tells the framework, exported as the default export
 * of its entry file. All parts are optional; the manifest says the rest.
 *
 * Lifecycle, per site: `schema` is created and `install` runs when the module
 * is first enabled; `enable`/`disable` run on later switches; `uninstall`
 * runs before its tables are dropped and its configuration deleted. Updates
 * are numbered, never renumbered; a fresh install records the highest number
 * as applied, since the schema it creates is already current.
 */
export interface ModuleDefinition {
  /** Hooks this module declares for others to implement. */
  readonly hooks?: HookDeclarations;
  /** Tap the hooks this module implements. Called once per kernel. */
  register?(api: ModuleApi): void;
  /** Tables the module owns. */
  readonly schema?: SchemaDefinition;
  install?(site: SiteContext): Promise<void> | void;
  enable?(site: SiteContext): Promise<void> | void;
  disable?(site: SiteContext): Promise<void> | void;
  uninstall?(site: SiteContext): Promise<void> | void;
  /** Numbered updates, by positive integer. */
  readonly updates?: Readonly<Record<number, UpdateDefinition>>;
  /** Install profiles only: steps run at the end of site-install, after every hook's steps. */
  readonly installSteps?: readonly InstallStep[];
}

/**
 * Identity helper that type-checks a module definition. Not generic on
 * purpose: a fresh object literal checked against ModuleDefinition gets
 * excess-key checks all the way down (a `length` on an integer column is a
 * compile error).
 */
export function defineModule(def: ModuleDefinition): ModuleDefinition {
  return def;
}

const KNOWN = new Set(['hooks', 'register', 'schema', 'install', 'enable', 'disable', 'uninstall', 'updates', 'installSteps']);
const FUNCS = ['register', 'install', 'enable', 'disable', 'uninstall'];

/** Why a module's default export is not a valid definition, or undefined if it is. */
export function definitionProblem(def: unknown): string | undefined {
  if (typeof def !== 'object' || def === null) return 'its default export must be a module definition object (use defineModule)';
  const d = def as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!KNOWN.has(k)) return `unknown key "${k}" in its definition`;
  for (const f of FUNCS) if (d[f] !== undefined && typeof d[f] !== 'function') return `"${f}" must be a function`;
  if (d.updates !== undefined) {
    if (typeof d.updates !== 'object' || d.updates === null) return '"updates" must be an object keyed by update number';
    for (const [n, u] of Object.entries(d.updates)) {
      if (!/^[1-9][0-9]{0,8}$/.test(n)) return `update "${n}" must be numbered with a positive integer`;
      if (typeof u !== 'object' || u === null || typeof (u as UpdateDefinition).run !== 'function') return `update ${n} must have a run function`;
    }
  }
  if (d.installSteps !== undefined && !Array.isArray(d.installSteps)) return '"installSteps" must be an array';
  return undefined;
}

/** Update numbers a definition declares, ascending. */
export function updateNumbers(def: ModuleDefinition): number[] {
  return Object.keys(def.updates ?? {}).map(Number).sort((a, b) => a - b);
}
