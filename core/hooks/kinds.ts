/**
 * Hook kinds and the typed definitions that declare a hook.
 *
 * A hook is declared once, by core or by the module that owns it, with a kind
 * that fixes how its implementations are called and what their return value
 * means:
 *
 * | kind     | call                          | an implementation...                         |
 * |----------|-------------------------------|----------------------------------------------|
 * | collect  | sync, every module in order   | adds items to a collector (info hooks)       |
 * | alter    | sync, every module in order   | returns a changed value or mutates it        |
 * | event    | async, one after another      | reacts; a failure stops the rest             |
 * | parallel | async, all at once            | does independent work                        |
 * | bail     | async, in order until answer  | returns an answer, or undefined to pass      |
 * | vote     | async, in order               | returns 'allow', 'deny' or undefined; deny wins |
 *
 * Each hook takes a fixed argument list (a payload object, plus a context for
 * collect and alter), so that every hook is typed by its definition alone.
 */

/** Names of the hook kinds. */
export type HookKind = 'collect' | 'alter' | 'event' | 'parallel' | 'bail' | 'vote';

interface Base<K extends HookKind> {
  readonly kind: K;
  /** What the hook means and when it runs; shown by `aegir hook-list`. */
  readonly doc: string;
}

/** An info hook: implementations add items; the caller gets them all, each with the module that added it. */
export interface CollectHook<T, C = void> extends Base<'collect'> { readonly types?: [T, C] }
/** An alter hook: the value passes through every implementation in module order. */
export interface AlterHook<T, C = void> extends Base<'alter'> { readonly types?: [T, C] }
/** An event: every implementation runs, one after another, awaited. */
export interface EventHook<P> extends Base<'event'> { readonly types?: [P] }
/** Independent work: every implementation runs at the same time. */
export interface ParallelHook<P> extends Base<'parallel'> { readonly types?: [P] }
/** First answer wins: implementations run in order until one returns a value. */
export interface BailHook<P, R> extends Base<'bail'> { readonly types?: [P, R] }
/** An access vote: 'deny' from any implementation wins over 'allow'. */
export interface VoteHook<P> extends Base<'vote'> { readonly types?: [P] }

/** Any hook definition. */
export type HookDef =
  | CollectHook<any, any>
  | AlterHook<any, any>
  | EventHook<any>
  | ParallelHook<any>
  | BailHook<any, any>
  | VoteHook<any>;

/** A named set of hook definitions, as a module or core declares them. */
export type HookDeclarations = Readonly<Record<string, HookDef>>;

/** One implementation's ballot in a vote hook; undefined abstains. */
export type Ballot = 'allow' | 'deny' | undefined;

/** Outcome of a vote: deny if anyone denied, allow if anyone allowed, else neutral. */
export interface VoteResult {
  readonly verdict: 'allow' | 'deny' | 'neutral';
  /** Modules whose ballot decided the verdict. */
  readonly by: readonly string[];
}

/** Receives the items of a collect hook. */
export type Collector<T> = (item: T) => void;

/** One item of a collect hook, with the module that contributed it. */
export interface Contribution<T> {
  readonly module: string;
  readonly value: T;
}

/** The function a module taps onto a hook of definition H. */
export type Implementation<H> =
  H extends CollectHook<infer T, infer C> ? (add: Collector<T>, context: C) => void
  : H extends AlterHook<infer T, infer C> ? (value: T, context: C) => T | void
  : H extends EventHook<infer P> ? (payload: P) => void | Promise<void>
  : H extends ParallelHook<infer P> ? (payload: P) => void | Promise<void>
  : H extends BailHook<infer P, infer R> ? (payload: P) => R | undefined | Promise<R | undefined>
  : H extends VoteHook<infer P> ? (payload: P) => Ballot | Promise<Ballot>
  : never;

/** Factories for hook definitions; the type parameters carry the hook's types. */
export const hook = {
  /** Declare an info hook collecting items of type T, called with context C. */
  collect: <T, C = void>(doc: string): CollectHook<T, C> => ({ kind: 'collect', doc }),
  /** Declare an alter hook passing a T through every implementation, with context C. */
  alter: <T, C = void>(doc: string): AlterHook<T, C> => ({ kind: 'alter', doc }),
  /** Declare an event with payload P. */
  event: <P>(doc: string): EventHook<P> => ({ kind: 'event', doc }),
  /** Declare a parallel hook with payload P. */
  parallel: <P>(doc: string): ParallelHook<P> => ({ kind: 'parallel', doc }),
  /** Declare a first-answer-wins hook with payload P and answer R. */
  bail: <P, R>(doc: string): BailHook<P, R> => ({ kind: 'bail', doc }),
  /** Declare an access vote with payload P. */
  vote: <P>(doc: string): VoteHook<P> => ({ kind: 'vote', doc }),
} as const;
