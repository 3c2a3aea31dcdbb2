import { expect } from 'chai';
import { gridView } from '../../../core/forms/grid.js';
import { defaultValues, extractValues } from '../../../core/forms/process.js';
import { defineForm, type FieldDefinitions } from '../../../core/forms/types.js';

const FIELDS: FieldDefinitions = {
  perms: {
    type: 'grid', label: 'Permissions', rowsLabel: 'Permission',
    columns: { editor: 'Editor', admin: 'Admin' },
    rows: [
      { value: 'edit', label: 'Edit', group: 'node' },
      { value: 'users', label: 'Users', group: 'user', warning: 'Restricted' },
      { value: 'view', label: 'View', group: 'node', description: 'See things.' },
    ],
    default: { admin: ['edit', 'users'] },
  },
};

describe('grid fields', () => {
  it('start with every column, checked as the default says (copied, not shared)', () => {
    const values = defaultValues(FIELDS);
    expect(values).to.deep.equal({ perms: { editor: [], admin: ['edit', 'users'] } });
    (values.perms as Record<string, string[]>).admin!.push('view');
    expect(defaultValues(FIELDS)).to.deep.equal({ perms: { editor: [], admin: ['edit', 'users'] } });
  });

  it('read NAME[COLUMN] keys, one value or several; a missing column is empty, extra keys are ignored', () => {
    const { values, errors } = extractValues(FIELDS, { 'perms[editor]': 'view', 'perms[admin]': ['edit', 'view', 'edit'], 'perms[nobody]': 'edit', perms: 'x' });
    expect(errors).to.deep.equal({});
    expect(values.perms).to.deep.equal({ editor: ['view'], admin: ['edit', 'view'] });
    expect(extractValues(FIELDS, {}).values.perms).to.deep.equal({ editor: [], admin: [] });
  });

  it('refuse a value that is no row, naming the field and the column, and keep the default', () => {
    for (const bad of [{ 'perms[admin]': ['edit', 'sudo'] }, { 'perms[admin]': [{ x: 1 }] }]) {
      const r = extractValues(FIELDS, bad);
      expect(r.errors.perms).to.match(/^Permissions: .*Admin/);
      expect(r.values.perms).to.deep.equal({ editor: [], admin: ['edit', 'users'] });
    }
  });

  it('show rows in their groups in order of first appearance, with a labelled cell per column', () => {
    const f = FIELDS.perms as Extract<FieldDefinitions[string], { type: 'grid' }>;
    const view = gridView(f, 'perms', 'edit-f-perms', { editor: ['view'], admin: [] });
    expect(view.columns.map((c) => c.value)).to.deep.equal(['editor', 'admin']);
    expect(view.groups.map((g) => [g.label, g.rows.map((r) => r.value)])).to.deep.equal([['node', ['edit', 'view']], ['user', ['users']]]);
    const view1 = view.groups[0]!.rows[1]!;
    expect(view1.cells.map((c) => [c.name, c.checked, c.label])).to.deep.equal([['perms[editor]', true, 'View: Editor'], ['perms[admin]', false, 'View: Admin']]);
    expect(new Set(view.groups.flatMap((g) => g.rows.flatMap((r) => r.cells.map((c) => c.id)))).size, 'ids are unique').to.equal(6);
  });

  it('take only the keys of their type', () => {
    defineForm({
      id: 'typed', submitLabel: 'Save',
      // @ts-expect-error a grid has columns and rows, not options
      fields: { g: { type: 'grid', label: 'G', columns: {}, rows: [], options: {} } },
      submit: () => undefined,
    });
  });
});
