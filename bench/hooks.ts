// Hook dispatch: the cost of calling a hook implemented by 50 modules, per
// implementation, for the three kinds the framework calls most: an event
// (async series), an alter (sync waterfall) and a collect (sync info hook).
// Every request and command goes through many hook calls, so this is the
// framework's inner loop (issue target: under 5 µs per implementation).
// Baseline, in the same run: the same 50 functions in a plain array, called
// in a loop (sync) or awaited in a loop (async). The ratio bus/baseline is
// what tapable and the bus's wrappers (module name, error wrapping) cost.
import { HookBus } from '../core/hooks/bus.js';
import { hook } from '../core/hooks/kinds.js';
import { fmt, isMain, machine, median, nowNs, printFigures, type Figure } from './util.js';

const MODULES = Array.from({ length: 50 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
const ROUNDS = 15;
/** Each measured round lasts about this long. */
const ROUND_NS = 40e6;

interface Payload { n: number }
type Add = (item: number) => void;

/**
 * The bus seen through loose names: the benchmark's hooks are declared on a
 * fresh bus at run time, so HookMap (the typed map of declared hooks) does
 * not know them.
 */
interface LooseBus {
  tap(module: string, name: string, fn: (...args: never[]) => unknown): void;
  emit(name: string, payload: Payload): Promise<void>;
  alter(name: string, value: number): number;
  collect(name: string): { module: string; value: number }[];
}

const declarations = {
  'bench.event': hook.event<Payload>('Benchmark event: every module adds one to the payload.'),
  'bench.alter': hook.alter<number>('Benchmark alter: every module adds one to the value.'),
  'bench.collect': hook.collect<number>('Benchmark info hook: every module adds one item.'),
};

// The implementations, shared by the bus and the baselines.
const onEvent = async (p: Payload): Promise<void> => { p.n += 1; };
const onAlter = (v: number): number => v + 1;
const onCollect = (add: Add): void => add(1);

function makeBus(): LooseBus {
  const bus = new HookBus();
  bus.declare('bench', declarations);
  const loose = bus as unknown as LooseBus;
  for (const m of MODULES) {
    loose.tap(m, 'bench.event', onEvent);
    loose.tap(m, 'bench.alter', onAlter);
    loose.tap(m, 'bench.collect', onCollect);
  }
  bus.seal();
  return loose;
}

/** Run `call` n times (awaiting each call when async) and return the ns it took. */
async function loop(call: () => unknown, n: number, isAsync: boolean): Promise<number> {
  const t0 = nowNs();
  if (isAsync) for (let i = 0; i < n; i++) await call();
  else for (let i = 0; i < n; i++) call();
  return nowNs() - t0;
}

/**
 * Median ns per call over ROUNDS rounds. Doubling the count until a loop
 * takes a quarter of a round both warms the function up (JIT) and sizes the
 * rounds.
 */
async function time(call: () => unknown, isAsync = false): Promise<number> {
  let n = 64;
  for (let took = 0; took < ROUND_NS / 4; n *= 2) took = await loop(call, n, isAsync);
  n = Math.max(64, Math.round(n * 2));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push((await loop(call, n, isAsync)) / n);
  return median(rounds);
}

/** Run the benchmark, print its details, and return its figures. */
export async function main(): Promise<Figure[]> {
  const bus = makeBus();
  const count = MODULES.length;
  const events = MODULES.map(() => onEvent);
  const alters = MODULES.map(() => onAlter);
  const collects = MODULES.map(() => onCollect);

  // Sanity: every implementation really runs (a broken bus would look fast).
  const probe = { n: 0 };
  await bus.emit('bench.event', probe);
  if (probe.n !== count || bus.alter('bench.alter', 0) !== count || bus.collect('bench.collect').length !== count) {
    throw new Error('the bus did not call every implementation');
  }

  let sink = 0;
  const payload: Payload = { n: 0 };
  const rows: { kind: string; bus: number; base: number }[] = [];
  rows.push({
    kind: 'event (async)',
    bus: await time(() => bus.emit('bench.event', payload), true),
    base: await time(async () => { for (const f of events) await f(payload); }, true),
  });
  rows.push({
    kind: 'alter (sync)',
    bus: await time(() => { sink += bus.alter('bench.alter', 0); }),
    base: await time(() => { let v = 0; for (const f of alters) v = f(v); sink += v; }),
  });
  rows.push({
    kind: 'collect (sync)',
    bus: await time(() => { sink += bus.collect('bench.collect').length; }),
    base: await time(() => {
      // Like the bus, the baseline returns each item with the module that added it.
      const items: { module: string; value: number }[] = [];
      collects.forEach((f, i) => f((value) => { items.push({ module: MODULES[i]!, value }); }));
      sink += items.length;
    }),
  });
  if (sink === 0) throw new Error('nothing was computed');

  console.log(`hooks: one hook, ${count} implementations; median of ${ROUNDS} rounds of ~${ROUND_NS / 1e6} ms`);
  for (const r of rows) {
    console.log(`  ${r.kind.padEnd(15)} bus ${fmt(r.bus / 1000).padStart(6)} µs/call = ${fmt(r.bus / count).padStart(6)} ns/impl;`
      + ` plain array ${fmt(r.base / count).padStart(6)} ns/impl; bus/baseline ${fmt(r.bus / r.base)}x`);
  }
  const figures: Figure[] = rows.map((r) => ({
    name: `hook ${r.kind}, 50 implementations, per implementation`,
    value: r.bus / count,
    unit: 'ns',
    target: 5000,
    baseline: { name: 'plain array', value: r.base / count },
  }));
  printFigures(figures);
  return figures;
}

if (isMain(import.meta.url)) {
  console.log(machine());
  await main();
}
