/**
 * A node field's own `check`: run on the normalised value of a field that
 * passed its type's rules, its problem shown at the field; not run when the
 * type's rules already refused the value.
 */
import { expect } from 'chai';
import { nodeTypes } from '../../../modules/node/registry.js';
import type { NodeFieldValue } from '../../../modules/node/types.js';
import { checkDraft } from '../../../modules/node/validate.js';
import { probeKernel, typesModule } from './kernel.js';

describe('node: a field\'s own check', () => {
  const seen: NodeFieldValue[] = [];
  const kernel = probeKernel(typesModule('hooks_demo', {
    type: 'hook', label: 'Hook', description: 'A field with its own rule.',
    fields: { code: { type: 'text', label: 'Code', maxLength: 10, check: (v) => { seen.push(v); return String(v).startsWith('x') ? undefined : 'A code starts with "x".'; } } },
  }));
  const type = nodeTypes(kernel).get('hook')!;
  const draft = (code: string) => ({ nid: undefined, type: 'hook', title: 'T', fields: { code }, status: true, promote: false, sticky: false, uid: 1, created: 0, changed: 0 });

  it('gets the trimmed value and its problem is the field\'s', () => {
    seen.length = 0;
    expect(checkDraft(type, draft('  y1 ')).errors).to.deep.equal([{ field: 'code', message: 'A code starts with "x".' }]);
    expect(seen).to.deep.equal(['y1']);
    expect(checkDraft(type, draft('x1')).errors).to.deep.equal([]);
  });

  it('is not asked about a value the type already refused (one problem per field)', () => {
    seen.length = 0;
    const { errors } = checkDraft(type, draft('y'.repeat(11)));
    expect(errors.map((e) => e.field)).to.deep.equal(['code']);
    expect(errors[0]!.message).to.not.contain('starts with');
    expect(seen).to.deep.equal([]);
  });
});
