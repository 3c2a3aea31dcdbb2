import { match, compile, type MatchFunction, type PathFunction } from 'path-to-regexp';
import { AegirError } from '../errors/aegir-error.js';
import type { Kernel } from '../kernel/kernel.js';
import type { ParamLoader, RouteDefinition } from './types.js';

/** A route with the module that declared it and its compiled path. */
export interface RegisteredRoute {
  readonly module: string;
  readonly definition: RouteDefinition;
  readonly methods: ReadonlySet<string>;
  readonly matcher: MatchFunction<Record<string, string>>;
  readonly toPath: PathFunction<Record<string, string>>;
  /** Number of literal characters: more specific paths are tried first. */
  readonly specificity: number;
}

/** Every route of a kernel, built once per kernel from `http.routes`. */
export interface RouteTable {
  readonly routes: readonly RegisteredRoute[];
  readonly byName: ReadonlyMap<string, RegisteredRoute>;
  readonly loaders: ReadonlyMap<string, ParamLoader>;
  /** The route for a path, and whether the method is allowed there. */
  find(path: string, method: string): { route: RegisteredRoute; params: Record<string, string> } | { methodNotAllowed: readonly string[] } | undefined;
}

const NAME = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const PATH = /^\/[A-Za-z0-9_\-/:.]*$/;

/** The route table of a kernel (memoised per kernel). Declaration mistakes are ERR_ROUTE_INVALID / ERR_ROUTE_DUPLICATE. */
export function routeTable(kernel: Kernel): RouteTable {
  return kernel.registry('core.routes', () => {
    const loaders = new Map<string, ParamLoader>();
    for (const { value } of kernel.hooks.collect('http.param_loaders')) loaders.set(value.name, value);
    const byName = new Map<string, RegisteredRoute>();
    const byPath = new Map<string, RegisteredRoute>();
    for (const { module, value: r } of kernel.hooks.collect('http.routes')) {
      const bad = (problem: string): never => { throw new AegirError('ERR_ROUTE_INVALID', { route: r.name, module, problem }); };
      if (!NAME.test(r.name)) bad('its name must look like module.page');
      if (!PATH.test(r.path)) bad('its path must start with "/" and hold only letters, digits, "-", "_", "." and :params');
      if (!r.handler === !r.form) bad('it needs exactly one of handler and form');
      const names = [...r.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
      for (const p of Object.keys(r.params ?? {})) {
        if (!names.includes(p)) bad(`parameter "${p}" has a loader but is not in the path`);
        if (!loaders.has(r.params![p]!)) bad(`parameter "${p}" uses loader "${r.params![p]}", which no module provides`);
      }
      const prev = byName.get(r.name);
      if (prev) throw new AegirError('ERR_ROUTE_DUPLICATE', { what: `name "${r.name}"`, first: prev.module, second: module });
      const shape = r.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':');
      const same = byPath.get(shape);
      if (same) throw new AegirError('ERR_ROUTE_DUPLICATE', { what: `path ${r.path}`, first: `${same.module} (${same.definition.name})`, second: `${module} (${r.name})` });
      const methods = new Set<string>(r.form ? ['GET', 'POST'] : (r.methods ?? ['GET']));
      if (methods.has('GET')) methods.add('HEAD');
      let matcher: MatchFunction<Record<string, string>>;
      let toPath: PathFunction<Record<string, string>>;
      try {
        matcher = match<Record<string, string>>(r.path, { decode: safeDecode });
        toPath = compile<Record<string, string>>(r.path, { encode: encodeURIComponent });
      } catch (e) {
        return bad(`its path cannot be parsed (${(e as Error).message})`);
      }
      const route: RegisteredRoute = {
        module, definition: r, methods, matcher, toPath,
        specificity: r.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '').length,
      };
      byName.set(r.name, route);
      byPath.set(shape, route);
    }
    const routes = [...byName.values()].sort((a, b) => b.specificity - a.specificity);
    return {
      routes, byName, loaders,
      find(path, method) {
        const allowed = new Set<string>();
        for (const route of routes) {
          const m = route.matcher(path);
          if (!m) continue;
          if (!route.methods.has(method)) { for (const x of route.methods) allowed.add(x); continue; }
          return { route, params: m.params };
        }
        return allowed.size ? { methodNotAllowed: [...allowed].sort() } : undefined;
      },
    };
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000invalid';
  }
}
