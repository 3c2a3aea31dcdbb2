import { expectCode } from '../../harness/expect.js';
import { expect } from 'chai';
import { nodeTypes } from '../../../modules/node/registry.js';
import { nodeViewVars, paragraphs } from '../../../modules/node/render.js';
import type { Node, NodeTypeDefinition } from '../../../modules/node/types.js';
import { accountWith } from './helpers.js';
import { kernelSite, probeKernel, typesModule } from './kernel.js';

const ok: NodeTypeDefinition = { type: 'story', label: 'Story', description: 'A story.', fields: { body: { type: 'textarea', label: 'Body' } } };

describe('node types', () => {
  it('collects the declared types once per kernel, with their module and a default title label', () => {
    const kernel = probeKernel(typesModule('stories', ok));
    const types = nodeTypes(kernel);
    expect([...types.keys()]).to.deep.equal(['note', 'probe', 'story']);
    expect(types.get('story')).to.include({ module: 'stories', titleLabel: 'Title' });
    expect(types.get('probe')).to.include({ module: 'node_probe', titleLabel: 'Name' });
    expect(nodeTypes(kernel)).to.equal(types);
  });

  const bad: [string, NodeTypeDefinition][] = [
    ['a machine name with capitals', { ...ok, type: 'Story' }],
    ['a machine name too long for the column', { ...ok, type: `s${'x'.repeat(32)}` }],
    ['no label', { ...ok, label: ' ' }],
    ['a name that /node/:nid/edit would shadow', { ...ok, type: 'edit' }],
    ['a field named like a node property', { ...ok, fields: { status: { type: 'checkbox', label: 'Status' } } }],
    ['a field name with a dash', { ...ok, fields: { 'my-field': { type: 'text', label: 'X' } } }],
    ['a select without options', { ...ok, fields: { pick: { type: 'select', label: 'Pick', options: {} } } }],
    ['a number whose min is above its max', { ...ok, fields: { n: { type: 'number', label: 'N', min: 5, max: 1 } } }],
    ['a maxLength of zero', { ...ok, fields: { t: { type: 'text', label: 'T', maxLength: 0 } } }],
    ['a field type nobody knows', { ...ok, fields: { t: { type: 'color', label: 'T' } as never } }],
    ['a reference without a target', { ...ok, fields: { r: { type: 'reference', label: 'R' } as never } }],
    ['a reference whose target is not a machine name', { ...ok, fields: { r: { type: 'reference', label: 'R', target: 'Platform' } } }],
    ['a reference with an empty list of targets', { ...ok, fields: { r: { type: 'reference', label: 'R', target: [] } } }],
    ['a reference with a target that is not text', { ...ok, fields: { r: { type: 'reference', label: 'R', target: [42] as never } } }],
  ];
  for (const [what, def] of bad) {
    it(`refuses a type with ${what} (ERR_NODE_TYPE_INVALID naming the module)`, async () => {
      const e = await expectCode(Promise.resolve().then(() => nodeTypes(probeKernel(typesModule('stories', def)))), 'ERR_NODE_TYPE_INVALID');
      expect(e.facts.module).to.equal('stories');
    });
  }

  it('takes reference fields to one or several types, declared or not (a target no module declares just offers nothing)', () => {
    const linked: NodeTypeDefinition = {
      ...ok, type: 'linked', fields: { one: { type: 'reference', label: 'One', target: 'story' }, many: { type: 'reference', label: 'Many', target: ['story', 'not_here'], required: true } },
    };
    expect(nodeTypes(probeKernel(typesModule('stories', ok, linked))).get('linked')!.fields.many).to.deep.include({ target: ['story', 'not_here'] });
  });

  it('type-level: a reference field needs a target of type names, and takes no select options', () => {
    const fields: NodeTypeDefinition['fields'] = {
      fine: { type: 'reference', label: 'Fine', target: ['a', 'b'] },
      // @ts-expect-error a reference field needs a target
      untargeted: { type: 'reference', label: 'No target' },
      // @ts-expect-error the target is a type name or a list of them, not a number
      numbered: { type: 'reference', label: 'Numbered', target: 42 },
      // @ts-expect-error options belong to select fields
      optioned: { type: 'reference', label: 'Optioned', target: 'a', options: { a: 'A' } },
    };
    expect(Object.keys(fields)).to.have.length(4);
  });

  it('refuses a type declared by two modules, naming both', async () => {
    const e = await expectCode(Promise.resolve().then(() => nodeTypes(probeKernel(typesModule('one', ok), typesModule('two', ok)))), 'ERR_NODE_TYPE_INVALID');
    expect(e.facts.module).to.equal('two');
    expect(e.facts.problem).to.contain('"one"');
  });
});

describe('node view variables', () => {
  const site = kernelSite(probeKernel());
  const n: Node = {
    nid: 9, type: 'probe', title: '<b>T</b>', uid: 2, status: true, promote: false, sticky: false, created: Date.UTC(2026, 0, 2, 3, 4), changed: 0,
    fields: { code: 'c', body: 'one\ntwo\n\n\nthree', mail: '', count: 0, flag: true, color: 'blue' }, extra: {},
  };
  const ctx = { account: accountWith(2, []), url: '/node/9', author: 'ann' };

  it('gives every non-empty field as plain text, select labels and Yes/No, textarea split into paragraphs and lines', () => {
    const v = nodeViewVars(site, n, 'full', ctx);
    expect(v.fields.map((f) => [f.name, f.value])).to.deep.equal([['code', 'c'], ['body', 'one\ntwo\n\n\nthree'], ['count', '0'], ['flag', 'Yes'], ['color', 'Blue']]);
    expect(v.fields[1]!.paragraphs).to.deep.equal([['one', 'two'], ['three']]);
    expect(v).to.include({ title: '<b>T</b>', author: 'ann', date: '2026-01-02 03:04 UTC', typeLabel: 'Probe' });
  });

  it('shows only shortened textareas in a teaser, and lets node.view add to the variables', () => {
    const long = { ...n, fields: { ...n.fields, body: 'word '.repeat(200) } };
    const v = nodeViewVars(site, long, 'teaser', ctx);
    expect(v.fields.map((f) => f.name)).to.deep.equal(['body']);
    expect(v.fields[0]!.value.length).to.be.at.most(401);
    expect(v.fields[0]!.value.endsWith('…')).to.equal(true);
    expect(v.extras).to.deep.equal(['probe saw teaser']);
  });

  it('splits text into paragraphs at blank lines only', () => {
    expect(paragraphs('a\r\nb'.replace(/\r\n/g, '\n'))).to.deep.equal([['a', 'b']]);
    expect(paragraphs('a\n \nb\n')).to.deep.equal([['a'], ['b']]);
    expect(paragraphs('a\n\n \n\t\nb')).to.deep.equal([['a'], ['b']]);
    expect(paragraphs('')).to.deep.equal([]);
  });
});
