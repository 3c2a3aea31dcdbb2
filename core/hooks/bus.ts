import {
  SyncHook, SyncWaterfallHook, AsyncSeriesHook, AsyncParallelHook, AsyncSeriesBailHook,
} from 'tapable';
import { AegirError, describe, isAegirError } from '../errors/aegir-error.js';
import { closest } from '../util/suggest.js';
import type {
  AlterHook, Ballot, BailHook, CollectHook, Collector, Contribution, HookDef, HookDeclarations,
  HookKind, Implementation, VoteResult,
} from './kinds.js';
import type { HookMap, HookName, HookNameOf } from './hook-map.js';

/** Where an implementation goes in the order: before named modules, or in a stage (default 0). */
export interface TapOptions {
  readonly before?: string | readonly string[];
  readonly stage?: number;
}

type AnyTapable = { tap: Function; tapPromise?: Function; taps: { name: string }[] };

interface Entry {
  readonly name: string;
  readonly def: HookDef;
  readonly owner: string;
  readonly tapable: AnyTapable;
}

/** Description of one declared hook, for listings. */
export interface HookInfo {
  readonly name: string;
  readonly kind: HookKind;
  readonly owner: string;
  readonly doc: string;
  readonly implementations: readonly string[];
}

class Tally {
  readonly allow: string[] = [];
}

type PayloadOf<H> = H extends { types?: [infer P, ...unknown[]] } ? P : never;
type SecondOf<H> = H extends { types?: [unknown, infer C] } ? C : never;

/**
 * The hook registry of one kernel, on tapable. Declarations come first (core,
 * then modules in module order), then every module's implementations in
 * module order; then the bus is sealed and never changes again: a different
 * module set gets a new bus.
 *
 * The tap name of every implementation is its module's machine name, so
 * ordering options and errors speak of modules.
 */
export class HookBus {
  private readonly entries = new Map<string, Entry>();
  private readonly dormant: { module: string; hook: string }[] = [];
  private sealed = false;

  /** Declare the hooks `owner` exposes. */
  declare(owner: string, defs: HookDeclarations): void {
    this.assertOpen();
    for (const [name, def] of Object.entries(defs)) {
      const existing = this.entries.get(name);
      if (existing) throw new AegirError('ERR_HOOK_DUPLICATE', { hook: name, first: existing.owner, second: owner });
      this.entries.set(name, { name, def, owner, tapable: createTapable(def.kind) });
    }
  }

  /**
   * Add `module`'s implementation of hook `name`. An implementation of a hook
   * that nobody declared (its owner is not enabled) stays dormant, as in
   * Drupal: implementing another module's hook never requires that module.
   */
  tap<N extends HookName>(module: string, name: N, fn: Implementation<HookMap[N]>, options: TapOptions = {}): void {
    this.assertOpen();
    const entry = this.entries.get(name);
    if (!entry) {
      this.dormant.push({ module, hook: name });
      return;
    }
    const tapOptions = { name: module, ...(options.before ? { before: options.before } : {}), ...(options.stage !== undefined ? { stage: options.stage } : {}) };
    const f = fn as (...a: unknown[]) => unknown;
    const fail = (e: unknown): AegirError =>
      new AegirError('ERR_HOOK_FAILED', { module, hook: name, problem: describe(e) }, { cause: e });
    switch (entry.def.kind) {
      case 'collect':
        entry.tapable.tap(tapOptions, (c: CollectorState<unknown>, ctx: unknown) => {
          c.module = module;
          try { f(c.add, ctx); } catch (e) { throw fail(e); }
        });
        break;
      case 'alter':
        entry.tapable.tap(tapOptions, (value: unknown, ctx: unknown) => {
          try {
            const out = f(value, ctx);
            return out === undefined ? value : out;
          } catch (e) { throw fail(e); }
        });
        break;
      case 'vote':
        entry.tapable.tapPromise!(tapOptions, async (payload: unknown, tally: Tally) => {
          let ballot: Ballot;
          try { ballot = (await f(payload)) as Ballot; } catch (e) { throw fail(e); }
          if (ballot === 'deny') return module;
          if (ballot === 'allow') tally.allow.push(module);
          return undefined;
        });
        break;
      default:
        entry.tapable.tapPromise!(tapOptions, async (payload: unknown) => {
          try { return await f(payload); } catch (e) { throw fail(e); }
        });
    }
  }

  /**
   * Refuse dormant implementations that can never be called, by the owner
   * their name claims (the part before the first '.'):
   * - the owner declares hooks on this bus, but not this one: a typo
   *   (ERR_HOOK_UNDECLARED, with the closest name it declares);
   * - the owner is no module of the codebase (`known`: the machine names of
   *   every discovered module, enabled or not): ERR_HOOK_OWNER_UNKNOWN.
   * A hook of a module that exists but is not enabled stays dormant, as does
   * every other one when `known` is not given.
   */
  refuseStrayTaps(known?: Iterable<string>): void {
    const owners = new Map<string, string>();
    for (const e of this.entries.values()) if (!owners.has(prefixOf(e.name))) owners.set(prefixOf(e.name), e.owner);
    const modules = known ? new Set(known) : undefined;
    for (const { module, hook } of this.dormant) {
      const p = prefixOf(hook);
      const owner = owners.get(p);
      if (owner !== undefined) {
        const declared = [...this.entries.keys()].filter((n) => prefixOf(n) === p);
        throw new AegirError('ERR_HOOK_UNDECLARED', { module, hook, owner, suggestion: closest(hook, declared), declared: declared.join(', ') });
      }
      if (modules && !modules.has(p)) {
        const near = closest(p, modules);
        const suggestion = near !== undefined ? near + hook.slice(p.length) : closest(hook, this.entries.keys());
        throw new AegirError('ERR_HOOK_OWNER_UNKNOWN', { module, hook, owner: p, suggestion });
      }
    }
  }

  /** Seal the bus: no more declarations or implementations. */
  seal(): this {
    this.sealed = true;
    return this;
  }

  /** Call a collect hook and return every item with the module that added it. */
  collect<N extends HookNameOf<'collect'>>(
    name: N,
    ...context: SecondOf<HookMap[N]> extends void ? [] : [SecondOf<HookMap[N]>]
  ): Contribution<HookMap[N] extends CollectHook<infer T, any> ? T : never>[] {
    const state = new CollectorState<never>();
    (this.entry(name, 'collect').tapable as unknown as SyncHook<[unknown, unknown]>).call(state, context[0]);
    return state.items;
  }

  /** Pass a value through an alter hook and return the result. */
  alter<N extends HookNameOf<'alter'>>(
    name: N,
    value: HookMap[N] extends AlterHook<infer T, any> ? T : never,
    ...context: SecondOf<HookMap[N]> extends void ? [] : [SecondOf<HookMap[N]>]
  ): HookMap[N] extends AlterHook<infer T, any> ? T : never {
    return (this.entry(name, 'alter').tapable as unknown as SyncWaterfallHook<[unknown, unknown]>).call(value, context[0]) as never;
  }

  /** Run an event: every implementation in order, awaited one by one. */
  async emit<N extends HookNameOf<'event'>>(name: N, payload: PayloadOf<HookMap[N]>): Promise<void> {
    await (this.entry(name, 'event').tapable as unknown as AsyncSeriesHook<[unknown]>).promise(payload);
  }

  /** Run a parallel hook: every implementation at once. */
  async parallel<N extends HookNameOf<'parallel'>>(name: N, payload: PayloadOf<HookMap[N]>): Promise<void> {
    await (this.entry(name, 'parallel').tapable as unknown as AsyncParallelHook<[unknown]>).promise(payload);
  }

  /** Ask a bail hook: the first defined answer, or undefined when every module passed. */
  async bail<N extends HookNameOf<'bail'>>(
    name: N,
    payload: PayloadOf<HookMap[N]>,
  ): Promise<(HookMap[N] extends BailHook<any, infer R> ? R : never) | undefined> {
    return (await (this.entry(name, 'bail').tapable as unknown as AsyncSeriesBailHook<[unknown], unknown>).promise(payload)) as never;
  }

  /** Hold a vote: deny wins, then allow, else neutral. */
  async vote<N extends HookNameOf<'vote'>>(name: N, payload: PayloadOf<HookMap[N]>): Promise<VoteResult> {
    const tally = new Tally();
    const denier = await (this.entry(name, 'vote').tapable as unknown as AsyncSeriesBailHook<[unknown, Tally], string>).promise(payload, tally);
    if (denier) return { verdict: 'deny', by: [denier] };
    if (tally.allow.length) return { verdict: 'allow', by: tally.allow };
    return { verdict: 'neutral', by: [] };
  }

  /** Whether a hook of this name is declared on this bus. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Modules implementing a hook, in call order. */
  implementations(name: HookName): string[] {
    return this.entry(name).tapable.taps.map((t) => t.name);
  }

  /** Every declared hook with its owner, kind, documentation and implementations. */
  list(): HookInfo[] {
    return [...this.entries.values()].map((e) => ({
      name: e.name, kind: e.def.kind, owner: e.owner, doc: e.def.doc,
      implementations: e.tapable.taps.map((t) => t.name),
    }));
  }

  /** Implementations of hooks nobody declared (their owner is not enabled). */
  dormantTaps(): readonly { module: string; hook: string }[] {
    return this.dormant;
  }

  private entry(name: string, kind?: HookKind): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new AegirError('ERR_HOOK_UNKNOWN', { hook: name });
    if (kind && entry.def.kind !== kind) throw new AegirError('ERR_HOOK_KIND', { hook: name, kind: entry.def.kind, asKind: kind });
    return entry;
  }

  private assertOpen(): void {
    // A sealed bus belongs to a running kernel; changing it would change live
    // behaviour under callers. Build a new kernel instead.
    if (this.sealed) throw new Error('HookBus is sealed: build a new kernel to change modules or hooks');
  }
}

class CollectorState<T> {
  module = '';
  readonly items: Contribution<T>[] = [];
  readonly add: Collector<T> = (value) => { this.items.push({ module: this.module, value }); };
}

function createTapable(kind: HookKind): AnyTapable {
  switch (kind) {
    case 'collect': return new SyncHook<[unknown, unknown]>(['collector', 'context']) as unknown as AnyTapable;
    case 'alter': return new SyncWaterfallHook<[unknown, unknown]>(['value', 'context']) as unknown as AnyTapable;
    case 'event': return new AsyncSeriesHook<[unknown]>(['payload']) as unknown as AnyTapable;
    case 'parallel': return new AsyncParallelHook<[unknown]>(['payload']) as unknown as AnyTapable;
    case 'bail': return new AsyncSeriesBailHook<[unknown], unknown>(['payload']) as unknown as AnyTapable;
    case 'vote': return new AsyncSeriesBailHook<[unknown, unknown], unknown>(['payload', 'tally']) as unknown as AnyTapable;
  }
}

/** The owner a hook name claims: the part before its first '.' (the whole name when it has none). */
function prefixOf(hook: string): string {
  const dot = hook.indexOf('.');
  return dot < 0 ? hook : hook.slice(0, dot);
}

/** The innermost cause of an error wrapped by hooks (ERR_HOOK_FAILED) or other layers. */
export function rootCause(e: unknown): unknown {
  let cur = e;
  while (isAegirError(cur) && cur.code === 'ERR_HOOK_FAILED' && cur.cause !== undefined) cur = cur.cause;
  return cur;
}
