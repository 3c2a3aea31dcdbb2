import type { CoreHooks } from './core-hooks.js';

/**
 * Every hook by name, with its definition type. Core's hooks are here from the
 * start; a module that declares hooks adds them through declaration merging in
 * its own `hooks.ts`:
 *
 * ```ts
 * declare module '../../core/hooks/hook-map.js' {
 *   interface HookMap extends MyModuleHooks {}
 * }
 * ```
 */
export interface HookMap extends CoreHooks {}

/** Names of all hooks known to the type system. */
export type HookName = keyof HookMap & string;

/** Names of the hooks of one kind. */
export type HookNameOf<K extends string> = {
  [N in HookName]: HookMap[N] extends { kind: K } ? N : never;
}[HookName];
