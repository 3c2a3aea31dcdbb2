import { expect } from 'chai';
import { defineForm } from '../../../core/forms/types.js';
import { routeTable, type RouteTable } from '../../../core/http/routes.js';
import { page, type ParamLoader, type RouteDefinition } from '../../../core/http/types.js';
import { Kernel } from '../../../core/kernel/kernel.js';
import type { LoadedModule } from '../../../core/modules/loader.js';
import { parseManifest } from '../../../core/modules/manifest.js';
import { expectCode } from '../../harness/expect.js';

/** A hand-made module that declares routes (and optionally param loaders). */
function mod(name: string, routes: readonly RouteDefinition[], loaders: readonly ParamLoader[] = []): LoadedModule {
  const dir = `/virtual/modules/${name}`;
  return {
    name,
    manifest: parseManifest({ name, description: `Test module ${name}.`, version: '1.0.0' }, `${dir}/module.json`),
    dir,
    definition: {
      register(api) {
        api.on('http.routes', (add) => { for (const r of routes) add(r); });
        api.on('http.param_loaders', (add) => { for (const l of loaders) add(l); });
      },
    },
  };
}

/** A public GET route. */
const route = (name: string, path: string, extra: Partial<RouteDefinition> = {}): RouteDefinition => ({
  name, path, title: name, access: { public: true }, handler: () => page(name, { text: name }), ...extra,
});

const tableOf = (...modules: LoadedModule[]): RouteTable => routeTable(Kernel.create(modules));
const nodeLoader: ParamLoader = { name: 'node', load: (v) => (v === '1' ? { nid: 1 } : undefined) };

/** The name of the route a path and method find, 'method not allowed', or undefined. */
function found(table: RouteTable, path: string, method = 'GET'): string | undefined {
  const f = table.find(path, method);
  if (!f) return undefined;
  return 'route' in f ? f.route.definition.name : 'method not allowed';
}

describe('route table', () => {
  it('is built once per kernel', () => {
    const kernel = Kernel.create([mod('a', [route('a.page', '/a')])]);
    expect(routeTable(kernel)).to.equal(routeTable(kernel));
    expect(routeTable(kernel).byName.get('a.page')!.module).to.equal('a');
  });

  it('refuses the same route name from two modules (ERR_ROUTE_DUPLICATE)', async () => {
    const e = await expectCode(() => tableOf(mod('a', [route('shared.page', '/a')]), mod('b', [route('shared.page', '/b')])), 'ERR_ROUTE_DUPLICATE');
    expect(e.facts).to.deep.include({ first: 'a', second: 'b' });
  });

  it('refuses the same path from two modules, also with other parameter names (ERR_ROUTE_DUPLICATE)', async () => {
    await expectCode(() => tableOf(mod('a', [route('a.page', '/same')]), mod('b', [route('b.page', '/same')])), 'ERR_ROUTE_DUPLICATE');
    await expectCode(() => tableOf(
      mod('a', [route('a.item', '/item/:id')]),
      mod('b', [route('b.item', '/item/:nid')]),
    ), 'ERR_ROUTE_DUPLICATE');
  });

  it('refuses a param whose loader no module provides (ERR_ROUTE_INVALID)', async () => {
    await expectCode(() => tableOf(mod('a', [route('a.node', '/node/:nid', { params: { nid: 'node' } })])), 'ERR_ROUTE_INVALID');
    // With the loader it is fine.
    expect(found(tableOf(mod('a', [route('a.node', '/node/:nid', { params: { nid: 'node' } })], [nodeLoader])), '/node/1')).to.equal('a.node');
  });

  it('refuses a loader for a parameter the path does not have (ERR_ROUTE_INVALID)', async () => {
    await expectCode(() => tableOf(mod('a', [route('a.node', '/node', { params: { nid: 'node' } })], [nodeLoader])), 'ERR_ROUTE_INVALID');
  });

  it('refuses a route with both a handler and a form, or neither (ERR_ROUTE_INVALID)', async () => {
    const form = () => defineForm({ id: 'f', submitLabel: 'Go', fields: {}, submit: () => undefined });
    await expectCode(() => tableOf(mod('a', [route('a.both', '/both', { form })])), 'ERR_ROUTE_INVALID');
    const neither: RouteDefinition = { name: 'a.none', path: '/none', title: 'None', access: { public: true } };
    await expectCode(() => tableOf(mod('a', [neither])), 'ERR_ROUTE_INVALID');
  });

  for (const [name, path] of [['nodot', '/x'], ['Bad.name', '/x'], ['a.ok', 'relative'], ['a.ok', '/with space'], ['a.ok', '/q?x=1'], ['a.ok', '/a/*'], ['a.ok', '/a/(.*)'], ['a.ok', '/a/:'], ['a.ok', '/a/:1'], ['a.ok', '/a/::b'], ['a.ok', '/a/:b:c']] as const) {
    it(`refuses the route name ${JSON.stringify(name)} with path ${JSON.stringify(path)} (ERR_ROUTE_INVALID)`, async () => {
      await expectCode(() => tableOf(mod('a', [route(name, path)])), 'ERR_ROUTE_INVALID');
    });
  }

  it('a literal path wins over a parameter, whatever the declaration order', () => {
    const one = tableOf(mod('a', [route('node.view', '/node/:nid'), route('node.add', '/node/add')]));
    const two = tableOf(mod('a', [route('node.add', '/node/add'), route('node.view', '/node/:nid')]));
    for (const t of [one, two]) {
      expect(found(t, '/node/add')).to.equal('node.add');
      expect(found(t, '/node/12')).to.equal('node.view');
      expect(t.find('/node/12', 'GET')).to.deep.include({ params: { nid: '12' } });
    }
    const deeper = tableOf(mod('a', [route('node.edit', '/node/:nid/edit'), route('node.any', '/node/:nid/:op')]));
    expect(found(deeper, '/node/3/edit')).to.equal('node.edit');
    expect(found(deeper, '/node/3/delete')).to.equal('node.any');
  });

  it('decodes parameters, and a malformed escape does not throw', () => {
    const t = tableOf(mod('a', [route('a.item', '/item/:id')]));
    expect(t.find('/item/a%20b', 'GET')).to.deep.include({ params: { id: 'a b' } });
    const bad = t.find('/item/%E0%A4%A', 'GET');
    expect(bad && 'route' in bad ? bad.params.id : undefined).to.be.a('string').and.not.equal('%E0%A4%A');
  });

  it('knows the methods of each route: GET and HEAD by default, POST for forms, method not allowed otherwise', () => {
    const form = () => defineForm({ id: 'f', submitLabel: 'Go', fields: {}, submit: () => undefined });
    const t = tableOf(mod('a', [
      route('a.get', '/get'),
      route('a.post', '/post', { methods: ['POST'] }),
      { name: 'a.form', path: '/form', title: 'Form', access: { public: true }, form },
    ]));
    expect(found(t, '/get', 'GET')).to.equal('a.get');
    expect(found(t, '/get', 'HEAD')).to.equal('a.get');
    expect(found(t, '/get', 'POST')).to.equal('method not allowed');
    expect(found(t, '/get', 'DELETE')).to.equal('method not allowed');
    expect(found(t, '/post', 'POST')).to.equal('a.post');
    expect(found(t, '/post', 'GET')).to.equal('method not allowed');
    expect(found(t, '/form', 'GET')).to.equal('a.form');
    expect(found(t, '/form', 'POST')).to.equal('a.form');
    expect(found(t, '/nothing', 'GET')).to.equal(undefined);
  });

  it('builds paths of named routes with escaped parameters', () => {
    const t = tableOf(mod('a', [route('a.item', '/item/:id/edit')]));
    expect(t.byName.get('a.item')!.toPath({ id: 'x y/../z' })).to.equal('/item/x%20y%2F..%2Fz/edit');
  });
});
