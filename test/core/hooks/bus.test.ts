import { expect } from 'chai';
import { isAegirError, type AegirError } from '../../../core/errors/aegir-error.js';
import { HookBus, rootCause, type TapOptions } from '../../../core/hooks/bus.js';
import { hook, type Ballot, type Contribution, type HookKind } from '../../../core/hooks/kinds.js';
import { alphaHooks } from '../../fixtures/modules/alpha/hooks.js';
import { expectCode } from '../../harness/expect.js';

/** A bus with the alpha fixture's hooks declared (one of each kind), not sealed. */
function alphaBus(): HookBus {
  const bus = new HookBus();
  bus.declare('alpha', alphaHooks);
  return bus;
}

/** Resolve after `ms` milliseconds; used to make the order of async work observable. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The bus seen without its types, to reach hooks the type system does not know or misuse a kind on purpose. */
interface UntypedBus {
  tap(module: string, name: string, fn: (...a: any[]) => unknown, options?: TapOptions): void;
  collect(name: string, context?: unknown): Contribution<unknown>[];
  alter(name: string, value: unknown, context?: unknown): unknown;
  emit(name: string, payload: unknown): Promise<void>;
  parallel(name: string, payload: unknown): Promise<void>;
  bail(name: string, payload: unknown): Promise<unknown>;
  vote(name: string, payload: unknown): Promise<unknown>;
}
const untyped = (bus: HookBus): UntypedBus => bus as unknown as UntypedBus;

/** Check an ERR_HOOK_FAILED error: names module and hook, keeps the original error as cause. */
function expectHookFailure(e: AegirError, module: string, hookName: string, original: unknown): void {
  expect(e.facts.module).to.equal(module);
  expect(e.facts.hook).to.equal(hookName);
  expect(e.message).to.include(module);
  expect(e.message).to.include(hookName);
  expect(e.cause).to.equal(original);
  expect(rootCause(e)).to.equal(original);
}

describe('HookBus', () => {
  describe('collect', () => {
    it('returns every item with the module that added it, in tap order', () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.greetings', (add) => { add('one-a'); add('one-b'); });
      bus.tap('two', 'alpha.greetings', () => { /* adds nothing */ });
      bus.tap('three', 'alpha.greetings', (add) => add('three'));
      expect(bus.collect('alpha.greetings')).to.deep.equal([
        { module: 'one', value: 'one-a' },
        { module: 'one', value: 'one-b' },
        { module: 'three', value: 'three' },
      ]);
    });

    it('returns an empty list when nobody implements the hook', () => {
      expect(alphaBus().collect('alpha.greetings')).to.deep.equal([]);
    });

    it('gives a fresh list on every call', () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.greetings', (add) => add('x'));
      const first = bus.collect('alpha.greetings');
      const second = bus.collect('alpha.greetings');
      expect(second).to.deep.equal([{ module: 'one', value: 'x' }]);
      expect(second).to.not.equal(first);
    });

    it('passes the context to every implementation', () => {
      const bus = new HookBus();
      bus.declare('owner', { 'owner.items': hook.collect<string, { prefix: string }>('Items with a context.') });
      const seen: unknown[] = [];
      untyped(bus).tap('one', 'owner.items', (add: (v: string) => void, ctx: { prefix: string }) => { seen.push(ctx); add(`${ctx.prefix}1`); });
      untyped(bus).tap('two', 'owner.items', (add: (v: string) => void, ctx: { prefix: string }) => { seen.push(ctx); add(`${ctx.prefix}2`); });
      const ctx = { prefix: 'p' };
      expect(untyped(bus).collect('owner.items', ctx)).to.deep.equal([
        { module: 'one', value: 'p1' },
        { module: 'two', value: 'p2' },
      ]);
      expect(seen).to.deep.equal([ctx, ctx]);
      expect(seen[0]).to.equal(ctx);
    });
  });

  describe('alter', () => {
    it('passes the value through every implementation in order, each with the context', () => {
      const bus = alphaBus();
      const contexts: unknown[] = [];
      bus.tap('one', 'alpha.title', (v, ctx) => { contexts.push(ctx); return `${v}+one(${ctx.lang})`; });
      bus.tap('two', 'alpha.title', (v, ctx) => { contexts.push(ctx); return `${v}+two(${ctx.lang})`; });
      const ctx = { lang: 'fr' };
      expect(bus.alter('alpha.title', 'T', ctx)).to.equal('T+one(fr)+two(fr)');
      expect(contexts).to.have.length(2);
      expect(contexts[0]).to.equal(ctx);
      expect(contexts[1]).to.equal(ctx);
    });

    it('keeps the value when an implementation returns undefined', () => {
      const bus = alphaBus();
      const seen: string[] = [];
      bus.tap('one', 'alpha.title', (v) => `${v}!`);
      bus.tap('two', 'alpha.title', (v) => { seen.push(v); });
      bus.tap('three', 'alpha.title', (v) => { seen.push(v); return `${v}?`; });
      expect(bus.alter('alpha.title', 'T', { lang: 'en' })).to.equal('T!?');
      expect(seen).to.deep.equal(['T!', 'T!']);
    });

    it('returns the value unchanged when nobody implements the hook', () => {
      expect(alphaBus().alter('alpha.title', 'same', { lang: 'en' })).to.equal('same');
    });
  });

  describe('event', () => {
    it('runs every implementation in order, awaiting each before the next starts', async () => {
      const bus = alphaBus();
      bus.tap('slow', 'alpha.saved', async (p) => { p.log.push('slow:start'); await delay(30); p.log.push('slow:end'); });
      bus.tap('quick', 'alpha.saved', async (p) => { p.log.push('quick:start'); await delay(1); p.log.push('quick:end'); });
      bus.tap('sync', 'alpha.saved', (p) => { p.log.push(`sync:${p.id}`); });
      const log: string[] = [];
      await bus.emit('alpha.saved', { id: 7, log });
      expect(log).to.deep.equal(['slow:start', 'slow:end', 'quick:start', 'quick:end', 'sync:7']);
    });

    it('passes the same payload object to every implementation', async () => {
      const bus = alphaBus();
      const seen: unknown[] = [];
      bus.tap('one', 'alpha.saved', (p) => { seen.push(p); });
      bus.tap('two', 'alpha.saved', (p) => { seen.push(p); });
      const payload = { id: 1, log: [] };
      await bus.emit('alpha.saved', payload);
      expect(seen).to.have.length(2);
      expect(seen[0]).to.equal(payload);
      expect(seen[1]).to.equal(payload);
    });

    it('resolves when nobody implements the hook', async () => {
      const log: string[] = [];
      await alphaBus().emit('alpha.saved', { id: 1, log });
      expect(log).to.deep.equal([]);
    });

    it('does not run later implementations after one fails', async () => {
      const bus = alphaBus();
      const original = new Error('boom');
      bus.tap('first', 'alpha.saved', (p) => { p.log.push('first'); });
      bus.tap('failing', 'alpha.saved', async (p) => { p.log.push('failing'); await delay(1); throw original; });
      bus.tap('later', 'alpha.saved', (p) => { p.log.push('later'); });
      const log: string[] = [];
      const e = await expectCode(bus.emit('alpha.saved', { id: 1, log }), 'ERR_HOOK_FAILED');
      expectHookFailure(e, 'failing', 'alpha.saved', original);
      await delay(5);
      expect(log).to.deep.equal(['first', 'failing']);
    });
  });

  describe('parallel', () => {
    it('runs implementations concurrently: all start before any finishes', async () => {
      const bus = alphaBus();
      let started = 0;
      let releaseAll!: () => void;
      const allStarted = new Promise<void>((resolve) => { releaseAll = resolve; });
      const worker = (name: string) => async (p: { log: string[] }): Promise<void> => {
        p.log.push(`${name}:start`);
        if (++started === 3) releaseAll();
        // In series this would wait forever for the others; the fallback keeps a wrong bus from hanging the test.
        await Promise.race([allStarted, delay(200)]);
        p.log.push(`${name}:end`);
      };
      bus.tap('a', 'alpha.warm', worker('a'));
      bus.tap('b', 'alpha.warm', worker('b'));
      bus.tap('c', 'alpha.warm', worker('c'));
      const log: string[] = [];
      await bus.parallel('alpha.warm', { log });
      expect(log.slice(0, 3)).to.deep.equal(['a:start', 'b:start', 'c:start']);
      expect([...log.slice(3)].sort()).to.deep.equal(['a:end', 'b:end', 'c:end']);
    });

    it('waits for every implementation before resolving', async () => {
      const bus = alphaBus();
      bus.tap('slow', 'alpha.warm', async (p) => { await delay(20); p.log.push('slow'); });
      bus.tap('quick', 'alpha.warm', (p) => { p.log.push('quick'); });
      const log: string[] = [];
      await bus.parallel('alpha.warm', { log });
      expect(log).to.deep.equal(['quick', 'slow']);
    });
  });

  describe('bail', () => {
    it('returns the first defined answer and does not call later implementations', async () => {
      const bus = alphaBus();
      const called: string[] = [];
      bus.tap('passes', 'alpha.answer', async () => { called.push('passes'); await delay(1); return undefined; });
      bus.tap('knows', 'alpha.answer', async (p) => { called.push('knows'); await delay(1); return `answer to ${p.question}`; });
      bus.tap('also_knows', 'alpha.answer', () => { called.push('also_knows'); return 'too late'; });
      expect(await bus.bail('alpha.answer', { question: 'q' })).to.equal('answer to q');
      expect(called).to.deep.equal(['passes', 'knows']);
    });

    it('treats an empty string as an answer (only undefined passes)', async () => {
      const bus = alphaBus();
      const called: string[] = [];
      bus.tap('empty', 'alpha.answer', () => { called.push('empty'); return ''; });
      bus.tap('later', 'alpha.answer', () => { called.push('later'); return 'later'; });
      expect(await bus.bail('alpha.answer', { question: 'q' })).to.equal('');
      expect(called).to.deep.equal(['empty']);
    });

    it('returns undefined when every implementation passes', async () => {
      const bus = alphaBus();
      const called: string[] = [];
      bus.tap('one', 'alpha.answer', () => { called.push('one'); return undefined; });
      bus.tap('two', 'alpha.answer', async () => { called.push('two'); return undefined; });
      expect(await bus.bail('alpha.answer', { question: 'q' })).to.equal(undefined);
      expect(called).to.deep.equal(['one', 'two']);
    });

    it('returns undefined when nobody implements the hook', async () => {
      expect(await alphaBus().bail('alpha.answer', { question: 'q' })).to.equal(undefined);
    });
  });

  describe('vote', () => {
    it('denies when a later implementation denies after others allowed', async () => {
      const bus = alphaBus();
      bus.tap('yes1', 'alpha.access', () => 'allow');
      bus.tap('quiet', 'alpha.access', () => undefined);
      bus.tap('no', 'alpha.access', async (p) => (p.user === 'mallory' ? 'deny' : undefined));
      expect(await bus.vote('alpha.access', { user: 'mallory' })).to.deep.equal({ verdict: 'deny', by: ['no'] });
      expect(await bus.vote('alpha.access', { user: 'alice' })).to.deep.equal({ verdict: 'allow', by: ['yes1'] });
    });

    it('denies when an earlier implementation denies before others allow', async () => {
      const bus = alphaBus();
      bus.tap('no', 'alpha.access', () => 'deny');
      bus.tap('yes1', 'alpha.access', () => 'allow');
      bus.tap('yes2', 'alpha.access', async (): Promise<Ballot> => 'allow');
      expect(await bus.vote('alpha.access', { user: 'x' })).to.deep.equal({ verdict: 'deny', by: ['no'] });
    });

    it('allows when someone allows and nobody denies, naming every module that allowed', async () => {
      const bus = alphaBus();
      bus.tap('yes1', 'alpha.access', () => 'allow');
      bus.tap('quiet', 'alpha.access', async () => undefined);
      bus.tap('yes2', 'alpha.access', async (): Promise<Ballot> => { await delay(1); return 'allow'; });
      expect(await bus.vote('alpha.access', { user: 'x' })).to.deep.equal({ verdict: 'allow', by: ['yes1', 'yes2'] });
    });

    it('is neutral when everyone abstains', async () => {
      const bus = alphaBus();
      bus.tap('quiet1', 'alpha.access', () => undefined);
      bus.tap('quiet2', 'alpha.access', async () => undefined);
      expect(await bus.vote('alpha.access', { user: 'x' })).to.deep.equal({ verdict: 'neutral', by: [] });
    });

    it('is neutral when nobody implements the hook', async () => {
      expect(await alphaBus().vote('alpha.access', { user: 'x' })).to.deep.equal({ verdict: 'neutral', by: [] });
    });

    it('counts every vote afresh on each call', async () => {
      const bus = alphaBus();
      bus.tap('yes', 'alpha.access', () => 'allow');
      await bus.vote('alpha.access', { user: 'x' });
      expect(await bus.vote('alpha.access', { user: 'x' })).to.deep.equal({ verdict: 'allow', by: ['yes'] });
    });
  });

  describe('ordering', () => {
    it('puts an implementation before the named module', () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.greetings', (add) => add('one'));
      bus.tap('two', 'alpha.greetings', (add) => add('two'));
      bus.tap('three', 'alpha.greetings', (add) => add('three'), { before: 'two' });
      expect(bus.collect('alpha.greetings').map((c) => c.module)).to.deep.equal(['one', 'three', 'two']);
      expect(bus.implementations('alpha.greetings')).to.deep.equal(['one', 'three', 'two']);
    });

    it('puts an implementation before the first of several named modules', () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.title', (v) => `${v}1`);
      bus.tap('two', 'alpha.title', (v) => `${v}2`);
      bus.tap('three', 'alpha.title', (v) => `${v}3`, { before: ['two', 'one'] });
      expect(bus.alter('alpha.title', '', { lang: 'en' })).to.equal('312');
    });

    it('orders by stage: lower stages first, the default stage is 0, equal stages keep tap order', async () => {
      const bus = alphaBus();
      bus.tap('late', 'alpha.saved', (p) => { p.log.push('late'); }, { stage: 10 });
      bus.tap('plain1', 'alpha.saved', (p) => { p.log.push('plain1'); });
      bus.tap('early', 'alpha.saved', (p) => { p.log.push('early'); }, { stage: -10 });
      bus.tap('plain2', 'alpha.saved', (p) => { p.log.push('plain2'); }, { stage: 0 });
      const log: string[] = [];
      await bus.emit('alpha.saved', { id: 1, log });
      expect(log).to.deep.equal(['early', 'plain1', 'plain2', 'late']);
      expect(bus.implementations('alpha.saved')).to.deep.equal(['early', 'plain1', 'plain2', 'late']);
    });

    it('applies ordering options to bail and vote hooks too', async () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.answer', () => 'one');
      bus.tap('two', 'alpha.answer', () => 'two', { stage: -1 });
      expect(await bus.bail('alpha.answer', { question: 'q' })).to.equal('two');
      bus.tap('allower', 'alpha.access', () => 'allow');
      bus.tap('allower2', 'alpha.access', () => 'allow', { before: 'allower' });
      expect(await bus.vote('alpha.access', { user: 'u' })).to.deep.equal({ verdict: 'allow', by: ['allower2', 'allower'] });
    });
  });

  describe('failures', () => {
    it('wraps a sync throw in a collect implementation, and later implementations do not run', async () => {
      const bus = alphaBus();
      const original = new Error('collect broke');
      const called: string[] = [];
      bus.tap('ok', 'alpha.greetings', (add) => { called.push('ok'); add('ok'); });
      bus.tap('bad', 'alpha.greetings', () => { called.push('bad'); throw original; });
      bus.tap('later', 'alpha.greetings', () => { called.push('later'); });
      const e = await expectCode(() => bus.collect('alpha.greetings'), 'ERR_HOOK_FAILED');
      expectHookFailure(e, 'bad', 'alpha.greetings', original);
      expect(called).to.deep.equal(['ok', 'bad']);
    });

    it('wraps a sync throw in an alter implementation', async () => {
      const bus = alphaBus();
      const original = new TypeError('alter broke');
      bus.tap('ok', 'alpha.title', (v) => v);
      bus.tap('bad', 'alpha.title', () => { throw original; });
      const e = await expectCode(() => bus.alter('alpha.title', 't', { lang: 'en' }), 'ERR_HOOK_FAILED');
      expectHookFailure(e, 'bad', 'alpha.title', original);
    });

    for (const mode of ['sync', 'async'] as const) {
      const thrower = (original: unknown) => (mode === 'sync'
        ? () => { throw original; }
        : async () => { await delay(1); throw original; });

      it(`wraps a ${mode} throw in an event implementation`, async () => {
        const bus = alphaBus();
        const original = new Error(`event ${mode}`);
        bus.tap('bad', 'alpha.saved', thrower(original));
        const e = await expectCode(bus.emit('alpha.saved', { id: 1, log: [] }), 'ERR_HOOK_FAILED');
        expectHookFailure(e, 'bad', 'alpha.saved', original);
      });

      it(`wraps a ${mode} throw in a parallel implementation`, async () => {
        const bus = alphaBus();
        const original = new Error(`parallel ${mode}`);
        bus.tap('ok', 'alpha.warm', async () => { await delay(1); });
        bus.tap('bad', 'alpha.warm', thrower(original));
        const e = await expectCode(bus.parallel('alpha.warm', { log: [] }), 'ERR_HOOK_FAILED');
        expectHookFailure(e, 'bad', 'alpha.warm', original);
      });

      it(`wraps a ${mode} throw in a bail implementation, and later implementations do not run`, async () => {
        const bus = alphaBus();
        const original = new Error(`bail ${mode}`);
        const called: string[] = [];
        bus.tap('bad', 'alpha.answer', thrower(original));
        bus.tap('later', 'alpha.answer', () => { called.push('later'); return 'later'; });
        const e = await expectCode(bus.bail('alpha.answer', { question: 'q' }), 'ERR_HOOK_FAILED');
        expectHookFailure(e, 'bad', 'alpha.answer', original);
        expect(called).to.deep.equal([]);
      });

      it(`wraps a ${mode} throw in a vote implementation`, async () => {
        const bus = alphaBus();
        const original = new Error(`vote ${mode}`);
        bus.tap('yes', 'alpha.access', () => 'allow');
        bus.tap('bad', 'alpha.access', thrower(original));
        const e = await expectCode(bus.vote('alpha.access', { user: 'u' }), 'ERR_HOOK_FAILED');
        expectHookFailure(e, 'bad', 'alpha.access', original);
      });
    }

    it('wraps a thrown value that is not an Error, keeping it as the cause', async () => {
      const bus = alphaBus();
      bus.tap('bad', 'alpha.saved', () => { throw 'plain string'; });
      const e = await expectCode(bus.emit('alpha.saved', { id: 1, log: [] }), 'ERR_HOOK_FAILED');
      expectHookFailure(e, 'bad', 'alpha.saved', 'plain string');
      expect(e.message).to.include('plain string');
    });

    it('rootCause unwraps nested hook failures to the original error', async () => {
      const bus = alphaBus();
      const original = new RangeError('deep');
      bus.tap('inner', 'alpha.warm', () => { throw original; });
      bus.tap('outer', 'alpha.saved', async () => { await bus.parallel('alpha.warm', { log: [] }); });
      const e = await expectCode(bus.emit('alpha.saved', { id: 1, log: [] }), 'ERR_HOOK_FAILED');
      expect(e.facts.module).to.equal('outer');
      expect(e.facts.hook).to.equal('alpha.saved');
      const inner = e.cause as AegirError;
      expect(isAegirError(inner)).to.equal(true);
      expect(inner.code).to.equal('ERR_HOOK_FAILED');
      expect(inner.facts.module).to.equal('inner');
      expect(inner.facts.hook).to.equal('alpha.warm');
      expect(inner.cause).to.equal(original);
      expect(rootCause(e)).to.equal(original);
    });

    it('rootCause returns anything that is not a hook failure as it is', async () => {
      const plain = new Error('plain');
      expect(rootCause(plain)).to.equal(plain);
      expect(rootCause('text')).to.equal('text');
      const unknown = await expectCode(() => alphaBus().collect('cli.commands', {} as never), 'ERR_HOOK_UNKNOWN');
      expect(rootCause(unknown)).to.equal(unknown);
    });
  });

  describe('declarations and misuse', () => {
    it('calling an undeclared hook is ERR_HOOK_UNKNOWN for every kind', async () => {
      const bus = new HookBus();
      for (const call of [
        () => bus.collect('alpha.greetings'),
        () => bus.alter('alpha.title', 't', { lang: 'en' }),
        () => bus.emit('alpha.saved', { id: 1, log: [] }),
        () => bus.parallel('alpha.warm', { log: [] }),
        () => bus.bail('alpha.answer', { question: 'q' }),
        () => bus.vote('alpha.access', { user: 'u' }),
        () => bus.implementations('alpha.greetings'),
      ]) {
        const e = await expectCode(call, 'ERR_HOOK_UNKNOWN');
        expect(e.facts.hook).to.be.a('string').and.match(/^alpha\./);
      }
      expect((await expectCode(() => bus.collect('alpha.greetings'), 'ERR_HOOK_UNKNOWN')).facts.hook).to.equal('alpha.greetings');
    });

    it('declaring a hook name twice is ERR_HOOK_DUPLICATE naming both owners', async () => {
      const bus = alphaBus();
      const e = await expectCode(() => bus.declare('beta', { 'alpha.title': hook.alter<string>('Stolen name.') }), 'ERR_HOOK_DUPLICATE');
      expect(e.facts).to.include({ hook: 'alpha.title', first: 'alpha', second: 'beta' });
      expect(e.message).to.include('alpha').and.include('beta');
      expect(bus.list().find((h) => h.name === 'alpha.title')?.owner).to.equal('alpha');
    });

    it('declaring the same set twice from one owner is still a duplicate', async () => {
      const bus = alphaBus();
      const e = await expectCode(() => bus.declare('alpha', alphaHooks), 'ERR_HOOK_DUPLICATE');
      expect(e.facts).to.include({ first: 'alpha', second: 'alpha' });
    });

    const misuse: [HookKind, string, (b: UntypedBus) => unknown][] = [
      ['collect', 'alpha.title', (b) => b.collect('alpha.title')],
      ['alter', 'alpha.greetings', (b) => b.alter('alpha.greetings', 'x')],
      ['event', 'alpha.warm', (b) => b.emit('alpha.warm', { log: [] })],
      ['parallel', 'alpha.saved', (b) => b.parallel('alpha.saved', { id: 1, log: [] })],
      ['bail', 'alpha.access', (b) => b.bail('alpha.access', { user: 'u' })],
      ['vote', 'alpha.answer', (b) => b.vote('alpha.answer', { question: 'q' })],
    ];
    for (const [asKind, name, call] of misuse) {
      it(`invoking ${name} as ${asKind} is ERR_HOOK_KIND`, async () => {
        const bus = alphaBus();
        let ran = false;
        untyped(bus).tap('m', name, () => { ran = true; });
        const e = await expectCode(async () => call(untyped(bus)), 'ERR_HOOK_KIND');
        expect(e.facts.hook).to.equal(name);
        expect(e.facts.asKind).to.equal(asKind);
        expect(e.facts.kind).to.equal(alphaHooks[name as keyof typeof alphaHooks].kind);
        expect(ran).to.equal(false);
      });
    }

    it('tapping a hook nobody declared is dormant: listed, no error, never called', () => {
      const bus = new HookBus();
      let called = false;
      bus.tap('beta', 'alpha.greetings', () => { called = true; });
      bus.tap('delta', 'alpha.access', () => 'deny');
      expect(bus.dormantTaps()).to.deep.equal([
        { module: 'beta', hook: 'alpha.greetings' },
        { module: 'delta', hook: 'alpha.access' },
      ]);
      expect(bus.has('alpha.greetings')).to.equal(false);
      expect(bus.list()).to.deep.equal([]);
      expect(called).to.equal(false);
    });

    it('a dormant tap is not listed among the taps of declared hooks', () => {
      const bus = new HookBus();
      bus.declare('core_like', { 'cron': hook.event<unknown>('Periodic work.') });
      bus.tap('beta', 'alpha.saved', () => undefined);
      bus.tap('beta', 'cron', () => undefined);
      expect(bus.dormantTaps()).to.deep.equal([{ module: 'beta', hook: 'alpha.saved' }]);
      expect(bus.implementations('cron')).to.deep.equal(['beta']);
    });

    it('after seal(), declare and tap throw and nothing changes', () => {
      const bus = alphaBus();
      bus.tap('one', 'alpha.greetings', (add) => add('one'));
      expect(bus.seal()).to.equal(bus);
      expect(() => bus.declare('beta', { 'beta.more': hook.event<void>('More.') })).to.throw(Error);
      expect(() => bus.tap('two', 'alpha.greetings', (add) => add('two'))).to.throw(Error);
      expect(() => bus.tap('two', 'cli.commands', () => undefined)).to.throw(Error);
      expect(bus.has('beta.more')).to.equal(false);
      expect(bus.implementations('alpha.greetings')).to.deep.equal(['one']);
      expect(bus.dormantTaps()).to.deep.equal([]);
      // A sealed bus still dispatches.
      expect(bus.collect('alpha.greetings')).to.deep.equal([{ module: 'one', value: 'one' }]);
    });
  });

  describe('listing', () => {
    it('has() tells declared hooks from others', () => {
      const bus = alphaBus();
      expect(bus.has('alpha.saved')).to.equal(true);
      expect(bus.has('alpha.nothing')).to.equal(false);
      expect(bus.has('cron')).to.equal(false);
    });

    it('list() reports every hook with owner, kind, doc and implementations in call order', () => {
      const bus = new HookBus();
      bus.declare('core', { cron: hook.event<unknown>('Periodic work.') });
      bus.declare('alpha', alphaHooks);
      bus.tap('beta', 'alpha.saved', () => undefined);
      bus.tap('gamma', 'alpha.saved', () => undefined, { stage: -1 });
      bus.tap('delta', 'alpha.saved', () => undefined, { before: 'beta' });
      bus.tap('beta', 'alpha.access', () => undefined);
      const list = bus.list();
      expect(list.map((h) => h.name)).to.deep.equal(['cron', ...Object.keys(alphaHooks)]);
      expect(list[0]).to.deep.equal({ name: 'cron', kind: 'event', owner: 'core', doc: 'Periodic work.', implementations: [] });
      for (const [name, def] of Object.entries(alphaHooks)) {
        const info = list.find((h) => h.name === name)!;
        expect(info.owner).to.equal('alpha');
        expect(info.kind).to.equal(def.kind);
        expect(info.doc).to.equal(def.doc);
      }
      expect(list.find((h) => h.name === 'alpha.saved')!.implementations).to.deep.equal(['gamma', 'delta', 'beta']);
      expect(list.find((h) => h.name === 'alpha.access')!.implementations).to.deep.equal(['beta']);
      expect(list.find((h) => h.name === 'alpha.greetings')!.implementations).to.deep.equal([]);
    });

    it('implementations() lists modules in call order', async () => {
      const bus = alphaBus();
      bus.tap('b', 'alpha.saved', (p) => { p.log.push('b'); });
      bus.tap('a', 'alpha.saved', (p) => { p.log.push('a'); }, { before: 'b' });
      bus.tap('z', 'alpha.saved', (p) => { p.log.push('z'); }, { stage: -5 });
      const log: string[] = [];
      await bus.emit('alpha.saved', { id: 1, log });
      expect(bus.implementations('alpha.saved')).to.deep.equal(log);
      expect(log).to.deep.equal(['z', 'a', 'b']);
    });
  });
});
