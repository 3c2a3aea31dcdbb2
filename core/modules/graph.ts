import semver from 'semver';
import { AegirError } from '../errors/aegir-error.js';
import { CORE_VERSION } from '../version.js';
import type { DiscoveredModule } from './discovery.js';

/** The modules visible to a site, by machine name. */
export type Catalog = ReadonlyMap<string, DiscoveredModule>;

/**
 * Check that every module in `names` can run here: its dependencies exist
 * with matching versions, and its core range matches this core.
 */
export function checkModule(catalog: Catalog, name: string): void {
  const mod = catalog.get(name);
  if (!mod) throw new AegirError('ERR_MODULE_UNKNOWN', { name });
  const m = mod.manifest;
  if (m.core && !semver.satisfies(CORE_VERSION, m.core, { includePrerelease: true })) {
    throw new AegirError('ERR_MODULE_CORE_INCOMPATIBLE', { module: name, range: m.core, version: CORE_VERSION });
  }
  for (const [dep, range] of Object.entries(m.dependencies)) {
    const d = catalog.get(dep);
    if (!d) throw new AegirError('ERR_MODULE_DEPENDENCY_MISSING', { module: name, dependency: dep });
    if (d.manifest.type === 'profile') {
      throw new AegirError('ERR_MANIFEST_INVALID', { path: `${mod.dir}/module.json`, problem: `it depends on "${dep}", which is an install profile` });
    }
    if (range !== '*' && range !== '') {
      const v = d.manifest.version;
      if (!v || !semver.satisfies(v, range, { includePrerelease: true })) {
        throw new AegirError('ERR_MODULE_DEPENDENCY_VERSION', { module: name, dependency: dep, range, version: v ?? 'unknown' });
      }
    }
  }
}

/** `names` plus everything they depend on, directly or not; each is checked. */
export function withDependencies(catalog: Catalog, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (n: string): void => {
    if (out.has(n)) return;
    checkModule(catalog, n);
    out.add(n);
    for (const dep of Object.keys(catalog.get(n)!.manifest.dependencies)) visit(dep);
  };
  for (const n of names) visit(n);
  return out;
}

/**
 * Order modules the way hooks run: dependencies first, then by weight, then
 * by name; install profiles always last. Deterministic for a given set.
 * Every dependency of every module must be in the set. A cycle is an error
 * that names the modules in it.
 */
export function orderModules(catalog: Catalog, names: Iterable<string>): string[] {
  const set = new Set(names);
  const remaining = new Map<string, Set<string>>();
  for (const n of set) {
    const mod = catalog.get(n);
    if (!mod) throw new AegirError('ERR_MODULE_UNKNOWN', { name: n });
    const deps = new Set(Object.keys(mod.manifest.dependencies));
    for (const d of deps) if (!set.has(d)) throw new AegirError('ERR_MODULE_DEPENDENCY_MISSING', { module: n, dependency: d });
    remaining.set(n, deps);
  }
  const key = (n: string): [number, number, string] => {
    const m = catalog.get(n)!.manifest;
    return [m.type === 'profile' ? 1 : 0, m.weight, n];
  };
  const before = (a: string, b: string): boolean => {
    const [pa, wa, na] = key(a);
    const [pb, wb, nb] = key(b);
    return pa !== pb ? pa < pb : wa !== wb ? wa < wb : na < nb;
  };
  const order: string[] = [];
  while (remaining.size) {
    let next: string | undefined;
    for (const [n, deps] of remaining) {
      if (deps.size === 0 && (next === undefined || before(n, next))) next = n;
    }
    if (next === undefined) throw new AegirError('ERR_MODULE_DEPENDENCY_CYCLE', { cycle: findCycle(remaining).join(' -> ') });
    order.push(next);
    remaining.delete(next);
    for (const deps of remaining.values()) deps.delete(next);
  }
  return order;
}

/**
 * Order part of a module set by the hook order of the whole: `subset` with
 * everything it depends on is ordered, then only `subset` is kept. Modules
 * missing from the catalog are left out. Versions are not checked, so
 * modules already installed can always be disabled or uninstalled.
 */
export function orderSubset(catalog: Catalog, subset: Iterable<string>): string[] {
  const want = new Set([...subset].filter((n) => catalog.has(n)));
  const closure = new Set<string>();
  const visit = (n: string): void => {
    if (closure.has(n) || !catalog.has(n)) return;
    closure.add(n);
    for (const d of Object.keys(catalog.get(n)!.manifest.dependencies)) visit(d);
  };
  for (const n of want) visit(n);
  const present = new Set([...closure].filter((n) => Object.keys(catalog.get(n)!.manifest.dependencies).every((d) => closure.has(d))));
  return orderModules(catalog, present).filter((n) => want.has(n));
}

/** Modules among `installed` that depend on `name`, directly. */
export function dependentsOf(catalog: Catalog, name: string, among: Iterable<string>): string[] {
  const out: string[] = [];
  for (const n of among) {
    const mod = catalog.get(n);
    if (mod && name in mod.manifest.dependencies) out.push(n);
  }
  return out.sort();
}

function findCycle(graph: Map<string, Set<string>>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of [...(graph.get(n) ?? [])].sort()) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'visiting') return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of [...graph.keys()].sort()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return [...graph.keys()].sort();
}
