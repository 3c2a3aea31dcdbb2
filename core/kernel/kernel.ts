import { HookBus } from '../hooks/bus.js';
import { coreHooks } from '../hooks/core-hooks.js';
import type { HookName } from '../hooks/hook-map.js';
import type { LoadedModule } from '../modules/loader.js';

/**
 * One immutable set of enabled modules with their sealed hook bus and the
 * registries built from it. Changing the module set builds a new kernel and
 * swaps it in; a kernel is never changed while in use.
 */
export class Kernel {
  private readonly memo = new Map<string, unknown>();
  private readonly byName: ReadonlyMap<string, LoadedModule>;

  private constructor(
    /** Enabled modules in hook order. */
    readonly modules: readonly LoadedModule[],
    /** The hook bus of these modules. */
    readonly hooks: HookBus,
  ) {
    this.byName = new Map(modules.map((m) => [m.name, m]));
  }

  /**
   * Build a kernel from modules already in hook order: declare core's hooks,
   * then each module's, then let each module implement hooks, then refuse
   * implementations that can never be called (HookBus.refuseStrayTaps) and
   * seal.
   *
   * @param known machine names of every module of the codebase, enabled or
   *   not (the catalogue's keys): an implementation of a hook whose owner is
   *   none of them is refused. Without it, such an implementation stays
   *   dormant; a misspelt hook of an owner that is present is refused
   *   either way.
   */
  static create(modules: readonly LoadedModule[], known?: Iterable<string>): Kernel {
    const bus = new HookBus();
    bus.declare('core', coreHooks);
    for (const m of modules) if (m.definition.hooks) bus.declare(m.name, m.definition.hooks);
    for (const m of modules) {
      m.definition.register?.({
        name: m.name,
        dir: m.dir,
        on: (hook, fn, options) => bus.tap(m.name, hook as HookName, fn as never, options),
      });
    }
    bus.refuseStrayTaps(known);
    return new Kernel(modules, bus.seal());
  }

  /** Machine names of the enabled modules, in hook order. */
  get names(): string[] {
    return this.modules.map((m) => m.name);
  }

  /** An enabled module by name. */
  module(name: string): LoadedModule | undefined {
    return this.byName.get(name);
  }

  /**
   * A registry built once per kernel from hooks (commands, routes,
   * permissions): built on first use, then reused until the module set
   * changes and a new kernel replaces this one.
   */
  registry<T>(key: string, build: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, build());
    return this.memo.get(key) as T;
  }
}
