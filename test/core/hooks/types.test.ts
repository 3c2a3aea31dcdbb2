/**
 * Type-level misuse tests. Every `// @ts-expect-error` below is checked by
 * `tsc --noEmit -p .`: if a misuse stopped being a compile error, the
 * directive would be unused and tsc would fail. Each test also runs the
 * well-typed calls next to the misuse and asserts on what they do.
 *
 * The last group compiles small snippets with the TypeScript compiler API,
 * for misuse whose expected error cannot be pinned with a directive without
 * breaking the project's type check while core still accepts it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import ts from 'typescript';
import { defineCommand, type CommandContext, type OptionSpecs } from '../../../core/cli/command.js';
import { validateSchema, type ColumnDefinition, type TableDefinition } from '../../../core/database/schema.js';
import { HookBus } from '../../../core/hooks/bus.js';
import { hook, type Ballot } from '../../../core/hooks/kinds.js';
import { defineModule } from '../../../core/modules/definition.js';
import { alphaHooks } from '../../fixtures/modules/alpha/hooks.js';
import { expectCode } from '../../harness/expect.js';

function alphaBus(): HookBus {
  const bus = new HookBus();
  bus.declare('alpha', alphaHooks);
  return bus;
}

describe('hook bus types', () => {
  it('collect: items are typed; another kind, an unknown name, a context or a wrong item do not compile', async () => {
    const bus = alphaBus();
    bus.tap('one', 'alpha.greetings', (add) => add('hello'));
    const values: string[] = bus.collect('alpha.greetings').map((c) => c.value);
    expect(values).to.deep.equal(['hello']);

    // @ts-expect-error the items are strings, not numbers
    const numbers: number[] = bus.collect('alpha.greetings').map((c) => c.value);
    expect(numbers).to.deep.equal(['hello']);
    // @ts-expect-error alpha.greetings takes no context
    expect(bus.collect('alpha.greetings', { lang: 'en' })).to.have.length(1);
    await expectCode(() =>
      // @ts-expect-error alpha.title is an alter hook, not a collect hook
      bus.collect('alpha.title'), 'ERR_HOOK_KIND');
    await expectCode(() =>
      // @ts-expect-error no hook of this name exists
      bus.collect('alpha.nothing'), 'ERR_HOOK_UNKNOWN');

    // The bus does not check shapes at run time: the types are the guard.
    const scratch = alphaBus();
    // @ts-expect-error alpha.greetings collects strings
    scratch.tap('bad', 'alpha.greetings', (add) => add(3));
    expect(scratch.implementations('alpha.greetings')).to.deep.equal(['bad']);
  });

  it('alter: value and context are typed; a wrong value, a missing context or a wrong return do not compile', async () => {
    const bus = alphaBus();
    bus.tap('one', 'alpha.title', (v, ctx) => `${v} (${ctx.lang})`);
    bus.tap('two', 'alpha.title', (v) => { void v.toUpperCase(); });
    const title: string = bus.alter('alpha.title', 'Home', { lang: 'en' });
    expect(title).to.equal('Home (en)');

    // @ts-expect-error the value is a string
    expect(bus.alter('alpha.title', 3, { lang: 'en' })).to.equal('3 (en)');
    // @ts-expect-error lang is a string
    expect(bus.alter('alpha.title', 'Home', { lang: 1 })).to.equal('Home (1)');
    await expectCode(() =>
      // @ts-expect-error alpha.title needs its context (the first implementation reads ctx.lang)
      bus.alter('alpha.title', 'Home'), 'ERR_HOOK_FAILED');
    await expectCode(() =>
      // @ts-expect-error alpha.greetings is a collect hook, not an alter hook
      bus.alter('alpha.greetings', 'x'), 'ERR_HOOK_KIND');

    const scratch = alphaBus();
    // @ts-expect-error an alter implementation must return the value's type (string) or nothing
    scratch.tap('bad', 'alpha.title', () => 42);
    // @ts-expect-error the context has no "locale"
    scratch.tap('bad2', 'alpha.title', (v, ctx) => `${v}${ctx.locale}`);
    expect(scratch.implementations('alpha.title')).to.deep.equal(['bad', 'bad2']);
  });

  it('event and parallel: payloads are typed; a wrong payload, a wrong implementation or another kind do not compile', async () => {
    const bus = alphaBus();
    bus.tap('one', 'alpha.saved', async (p) => { p.log.push(`saved ${p.id.toFixed(0)}`); });
    bus.tap('one', 'alpha.warm', (p) => { p.log.push('warm'); });
    const log: string[] = [];
    await bus.emit('alpha.saved', { id: 3, log });
    await bus.parallel('alpha.warm', { log });
    expect(log).to.deep.equal(['saved 3', 'warm']);

    await expectCode(
      // @ts-expect-error id must be a number
      bus.emit('alpha.saved', { id: 'x', log: [] }), 'ERR_HOOK_FAILED');
    await expectCode(
      // @ts-expect-error the payload needs its log
      bus.emit('alpha.saved', { id: 1 }), 'ERR_HOOK_FAILED');
    await expectCode(
      // @ts-expect-error the payload is an object with a log
      bus.parallel('alpha.warm', 'now'), 'ERR_HOOK_FAILED');
    await expectCode(
      // @ts-expect-error alpha.warm is a parallel hook, not an event
      bus.emit('alpha.warm', { log: [] }), 'ERR_HOOK_KIND');
    await expectCode(
      // @ts-expect-error alpha.saved is an event, not a parallel hook
      bus.parallel('alpha.saved', { id: 1, log: [] }), 'ERR_HOOK_KIND');
    await expectCode(
      // @ts-expect-error no hook of this name exists
      bus.emit('alpha.nope', {}), 'ERR_HOOK_UNKNOWN');

    const scratch = alphaBus();
    // @ts-expect-error the payload's id is a number, so an implementation expecting a string id does not fit
    scratch.tap('bad', 'alpha.saved', (p: { id: string }) => { void p; });
    // @ts-expect-error a parallel implementation gets one payload, not a collector and a context
    scratch.tap('bad', 'alpha.warm', (add: (s: string) => void, ctx: { lang: string }) => add(ctx.lang));
    expect(scratch.implementations('alpha.saved')).to.deep.equal(['bad']);
  });

  it('bail and vote: answers and ballots are typed; a wrong answer or ballot does not compile', async () => {
    const bus = alphaBus();
    bus.tap('one', 'alpha.answer', (p) => (p.question === 'q' ? 'a' : undefined));
    bus.tap('two', 'alpha.answer', async () => 'b');
    bus.tap('one', 'alpha.access', (p) => (p.user === 'mallory' ? 'deny' : undefined));
    bus.tap('two', 'alpha.access', async (): Promise<Ballot> => 'allow');

    const answer: string | undefined = await bus.bail('alpha.answer', { question: 'q' });
    expect(answer).to.equal('a');
    // @ts-expect-error the answer may be undefined
    const sure: string = await bus.bail('alpha.answer', { question: 'other' });
    expect(sure).to.equal('b');
    // @ts-expect-error the question is a string
    expect(await bus.bail('alpha.answer', { question: 1 })).to.equal('b');

    const result = await bus.vote('alpha.access', { user: 'mallory' });
    expect(result).to.deep.equal({ verdict: 'deny', by: ['one'] });
    // @ts-expect-error a verdict is never 'maybe'
    expect(result.verdict === 'maybe').to.equal(false);
    // @ts-expect-error user is a string
    expect(await bus.vote('alpha.access', { user: 7 })).to.deep.equal({ verdict: 'allow', by: ['two'] });
    await expectCode(
      // @ts-expect-error alpha.access is a vote, not a bail hook
      bus.bail('alpha.access', { user: 'u' }), 'ERR_HOOK_KIND');

    const scratch = alphaBus();
    // @ts-expect-error the answer of alpha.answer is a string
    scratch.tap('bad', 'alpha.answer', () => 42);
    // @ts-expect-error a ballot is 'allow', 'deny' or undefined
    scratch.tap('bad', 'alpha.access', () => 'maybe');
    expect(scratch.implementations('alpha.access')).to.deep.equal(['bad']);
  });

  it('tap: an unknown hook name or a wrong option type does not compile', () => {
    const bus = new HookBus();
    bus.declare('core_like', { 'alpha.saved': hook.event<{ id: number; log: string[] }>('Saved.') });
    bus.tap('one', 'alpha.saved', () => undefined, { stage: -1, before: ['two'] });
    // @ts-expect-error stage is a number
    bus.tap('two', 'alpha.saved', () => undefined, { stage: 'early' });
    // @ts-expect-error before names modules
    bus.tap('three', 'alpha.saved', () => undefined, { before: 3 });
    // @ts-expect-error no hook of this name exists in HookMap
    bus.tap('four', 'alpha.unknown', () => undefined);
    expect(bus.implementations('alpha.saved')).to.deep.equal(['one', 'two', 'three']);
    expect(bus.dormantTaps()).to.deep.equal([{ module: 'four', hook: 'alpha.unknown' }]);
  });

  it('hook factories and module definitions: a wrong kind, key or implementation does not compile', () => {
    const def = defineModule({
      hooks: { 'typed.things': hook.collect<number>('Numbers.') },
      register(api) {
        api.on('alpha.greetings', (add) => add(api.name));
        // @ts-expect-error the payload of alpha.saved has a numeric id
        api.on('alpha.saved', (p: { id: string }) => { void p; });
        // @ts-expect-error no hook of this name exists
        api.on('alpha.nope', () => undefined);
        // @ts-expect-error the stage is a number
        api.on('alpha.warm', () => undefined, { stage: 'last' });
      },
    });
    expect(def.hooks?.['typed.things']?.kind).to.equal('collect');

    // @ts-expect-error "weird" is not a hook kind
    const badKind = defineModule({ hooks: { 'x.y': { kind: 'weird', doc: 'd' } } });
    // @ts-expect-error a module definition has no "routes" key
    const badKey = defineModule({ routes: [] });
    // @ts-expect-error a hook's documentation is a string
    const badDoc = hook.collect<string>(3);
    expect([badKind, badKey, badDoc].every((x) => typeof x === 'object')).to.equal(true);
  });
});

describe('definition types', () => {
  it('defineCommand: option values are typed from their specs, and a wrong option type does not compile', async () => {
    const command = defineCommand({
      name: 'typed-probe',
      description: 'Probe for option types.',
      bootstrap: 'root',
      options: {
        label: { type: 'string', description: 'A label.', default: 'x' },
        note: { type: 'string', description: 'A note.' },
        count: { type: 'integer', description: 'A count.', default: 1, min: 0 },
        limit: { type: 'integer', description: 'A limit.' },
        force: { type: 'boolean', description: 'Force.' },
      },
      async run(ctx) {
        const label: string = ctx.options.label;
        const count: number = ctx.options.count;
        const force: boolean = ctx.options.force;
        // @ts-expect-error a string option without default or required may be missing
        const note: string = ctx.options.note;
        // @ts-expect-error an integer option without default or required may be missing
        const limit: number = ctx.options.limit;
        // @ts-expect-error no such option
        void ctx.options.nope;
        return { data: { label, count, force, note: note ?? null, limit: limit ?? null } };
      },
    });
    expect(command.name).to.equal('typed-probe');
    expect(Object.keys(command.options ?? {})).to.deep.equal(['label', 'note', 'count', 'limit', 'force']);
    const ctx = { options: { label: 'l', note: undefined, count: 2, limit: undefined, force: true } } as unknown as CommandContext<OptionSpecs>;
    expect(await command.run(ctx)).to.deep.equal({ data: { label: 'l', count: 2, force: true, note: null, limit: null } });

    // @ts-expect-error the default of a string option is a string
    const badDefault = defineCommand({ name: 'a', description: 'd', bootstrap: 'root', options: { s: { type: 'string', description: 'd', default: 3 } }, async run() {} });
    // @ts-expect-error the default of an integer option is a number
    const badInt = defineCommand({ name: 'b', description: 'd', bootstrap: 'root', options: { i: { type: 'integer', description: 'd', default: '3' } }, async run() {} });
    // @ts-expect-error "everything" is not a bootstrap level
    const badBoot = defineCommand({ name: 'c', description: 'd', bootstrap: 'everything', async run() {} });
    // @ts-expect-error "flag" is not an option type
    const badType = defineCommand({ name: 'e', description: 'd', bootstrap: 'root', options: { f: { type: 'flag', description: 'd' } }, async run() {} });
    expect([badDefault, badInt, badBoot, badType].map((c) => c.name)).to.deep.equal(['a', 'b', 'c', 'e']);
  });

  it('schema: each column type takes only its own keys', () => {
    const table: TableDefinition = {
      description: 'Typed columns.',
      columns: {
        id: { type: 'serial' },
        label: { type: 'string', length: 32, default: '' },
        body: { type: 'text', size: 'long', nullable: true },
        n: { type: 'integer', unsigned: true, default: 0 },
        big: { type: 'bigint' },
        ratio: { type: 'float', default: 0.5 },
        flag: { type: 'boolean', default: false },
        data: { type: 'blob' },
      },
    };
    expect(() => validateSchema('probe', { probe_items: table })).to.not.throw();

    // @ts-expect-error an integer column has no length
    const intLength: ColumnDefinition = { type: 'integer', length: 10 };
    // @ts-expect-error a bigint column has no length
    const bigLength: ColumnDefinition = { type: 'bigint', length: 10 };
    // @ts-expect-error a string column is never unsigned
    const stringUnsigned: ColumnDefinition = { type: 'string', unsigned: true };
    // @ts-expect-error a serial column has no default
    const serialDefault: ColumnDefinition = { type: 'serial', default: 1 };
    // @ts-expect-error a boolean default is a boolean
    const boolDefault: ColumnDefinition = { type: 'boolean', default: 'yes' };
    // @ts-expect-error text sizes are normal, medium or long
    const hugeText: ColumnDefinition = { type: 'text', size: 'huge' };
    // @ts-expect-error "varchar" is not a column type
    const varchar: ColumnDefinition = { type: 'varchar' };
    // @ts-expect-error a wrong key inside a table definition is caught as well
    const inTable: TableDefinition = { description: 'd', columns: { n: { type: 'integer', length: 3 } } };
    expect([intLength, bigLength, stringUnsigned, serialDefault, boolDefault, hugeText, varchar, inTable]).to.have.length(8);
  });
});

/** Type errors the compiler reports for `source`, compiled as a file of this folder with the project's options. */
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');
let probeOptions: ts.CompilerOptions | undefined;
const parsed = new Map<string, ts.SourceFile>();
function typeErrors(source: string): string[] {
  if (!probeOptions) {
    const read = ts.readConfigFile(join(REPO, 'tsconfig.json'), ts.sys.readFile);
    probeOptions = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO).options;
  }
  const file = join(HERE, '__type_probe__.ts');
  const host = ts.createCompilerHost(probeOptions);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    if (name === file) return ts.createSourceFile(name, source, lang);
    // The project's own files do not change during a run: parse each once.
    let sf = parsed.get(name);
    if (!sf) {
      sf = getSourceFile(name, lang, ...rest);
      if (sf) parsed.set(name, sf);
    }
    return sf;
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], probeOptions, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const COMMAND = "import { defineCommand } from '../../../core/cli/command.js';\n";
const MODULE = "import { defineModule } from '../../../core/modules/definition.js';\n";

describe('definition types (compiled probes)', function () {
  this.timeout(120000);

  it('the probe compiler accepts a well-typed snippet and rejects a known misuse (control)', () => {
    expect(typeErrors(`${COMMAND}export const c = defineCommand({ name: 'a', description: 'd', bootstrap: 'root', options: { s: { type: 'string', description: 'd', default: 'x' } }, async run() {} });\n`))
      .to.deep.equal([]);
    expect(typeErrors(`${COMMAND}export const c = defineCommand({ name: 'a', description: 'd', bootstrap: 'root', options: { s: { type: 'string', description: 'd', default: 3 } }, async run() {} });\n`))
      .to.have.length.greaterThan(0);
    expect(typeErrors(`${MODULE}export default defineModule({ schema: { t_items: { description: 'd', columns: { n: { type: 'integer', default: 3 } } } } });\n`))
      .to.deep.equal([]);
    expect(typeErrors(`${MODULE}export default defineModule({ schema: { t_items: { description: 'd', columns: { n: { type: 'integer', default: 'x' } } } } });\n`))
      .to.have.length.greaterThan(0);
  });

  it('defineCommand rejects a key that does not belong to the option type (default on a boolean option)', () => {
    expect(typeErrors(`${COMMAND}export const c = defineCommand({ name: 'a', description: 'd', bootstrap: 'root', options: { b: { type: 'boolean', description: 'd', default: true } }, async run() {} });\n`))
      .to.satisfy((errors: string[]) => errors.some((m) => m.includes('default')));
  });

  it('defineCommand rejects a key that does not belong to the option type (min on a string option)', () => {
    expect(typeErrors(`${COMMAND}export const c = defineCommand({ name: 'a', description: 'd', bootstrap: 'root', options: { s: { type: 'string', description: 'd', min: 1 } }, async run() {} });\n`))
      .to.satisfy((errors: string[]) => errors.some((m) => m.includes('min')));
  });

  it('defineModule rejects a column key that does not belong to the column type (length on an integer column)', () => {
    expect(typeErrors(`${MODULE}export default defineModule({ schema: { t_items: { description: 'd', columns: { n: { type: 'integer', length: 3 } } } } });\n`))
      .to.satisfy((errors: string[]) => errors.some((m) => m.includes('length')));
  });
});
