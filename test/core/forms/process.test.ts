import { expect } from 'chai';
import { defaultValues, DEFAULT_TEXT_MAX, DEFAULT_TEXTAREA_MAX, extractValues } from '../../../core/forms/process.js';
import { renderForm, type FieldView } from '../../../core/forms/handle.js';
import { defineForm, type FieldDefinitions, type FormErrors } from '../../../core/forms/types.js';
import type { RequestContext } from '../../../core/http/types.js';

const FIELDS: FieldDefinitions = {
  intro: { type: 'markup', content: { text: 'Hello' } },
  name: { type: 'text', label: 'Name', required: true, maxLength: 10, pattern: /^[a-z]+$/, patternHint: 'lower case letters only' },
  free: { type: 'text', label: 'Free' },
  story: { type: 'textarea', label: 'Story' },
  mail: { type: 'email', label: 'Mail' },
  pass: { type: 'password', label: 'Pass', minLength: 8 },
  age: { type: 'number', label: 'Age', min: 0, max: 150, integer: true },
  ratio: { type: 'number', label: 'Ratio' },
  ok: { type: 'checkbox', label: 'OK' },
  must: { type: 'checkbox', label: 'Must', required: true },
  pick: { type: 'select', label: 'Pick', options: { a: 'A', b: 'B' } },
  many: { type: 'checkboxes', label: 'Many', options: { x: 'X', y: 'Y' }, required: true },
  fixed: { type: 'hidden', value: 'server' },
};
const GOOD = { name: 'bob', must: '1', many: 'x' };

/** Errors of a body merged over GOOD, by field. */
const errorsOf = (body: Record<string, unknown>): FormErrors => extractValues(FIELDS, { ...GOOD, ...body }).errors;

describe('form values', () => {
  it('start from each field\'s default (markup has none, hidden has its value)', () => {
    expect(defaultValues({
      t: { type: 'text', label: 'T', default: 'x' },
      t2: { type: 'text', label: 'T2' },
      p: { type: 'password', label: 'P' },
      n: { type: 'number', label: 'N' },
      n2: { type: 'number', label: 'N2', default: 0 },
      c: { type: 'checkbox', label: 'C' },
      cs: { type: 'checkboxes', label: 'CS', options: { a: 'A' }, default: ['a'] },
      h: { type: 'hidden', value: 'v' },
      m: { type: 'markup', content: { text: 'm' } },
    })).to.deep.equal({ t: 'x', t2: '', p: '', n: undefined, n2: 0, c: false, cs: ['a'], h: 'v' });
  });

  it('a checkboxes default is copied, not shared', () => {
    const fields: FieldDefinitions = { cs: { type: 'checkboxes', label: 'CS', options: { a: 'A' }, default: ['a'] } };
    (defaultValues(fields).cs as string[]).push('b');
    expect(defaultValues(fields).cs).to.deep.equal(['a']);
  });

  it('types a valid body: trimmed text, numbers, booleans, lists; hidden keeps the server value; unknown keys ignored', () => {
    const { values, errors } = extractValues(FIELDS, {
      name: ' bob ', free: '', story: 'line one\r\nline two', mail: 'bob@example.com', pass: ' with spaces ', age: '42', ratio: '-0.5',
      ok: 'on', must: '1', pick: 'b', many: ['x', 'y', 'x'], fixed: 'client', extra: 'ignored', intro: 'ignored',
    });
    expect(errors).to.deep.equal({});
    expect(values).to.deep.equal({
      name: 'bob', free: '', story: 'line one\nline two', mail: 'bob@example.com', pass: ' with spaces ', age: 42, ratio: -0.5,
      ok: true, must: true, pick: 'b', many: ['x', 'y'], fixed: 'server',
    });
  });

  it('a missing or "0" checkbox is false; a missing number is undefined', () => {
    const { values } = extractValues(FIELDS, { ...GOOD, ok: '0' });
    expect(values.ok).to.equal(false);
    expect(values.age).to.equal(undefined);
    expect(extractValues(FIELDS, GOOD).values.ok).to.equal(false);
  });

  const bad: readonly [string, Record<string, unknown>, string][] = [
    ['required text missing', { name: undefined }, 'name'],
    ['required text empty', { name: '' }, 'name'],
    ['pattern', { name: 'Bob' }, 'name'],
    ['max length', { name: 'abcdefghijk' }, 'name'],
    ['default max length of text', { free: 'x'.repeat(DEFAULT_TEXT_MAX + 1) }, 'free'],
    ['default max length of a textarea', { story: 'x'.repeat(DEFAULT_TEXTAREA_MAX + 1) }, 'story'],
    ['e-mail without a domain dot', { mail: 'bob@example' }, 'mail'],
    ['e-mail with a space', { mail: 'bob smith@example.com' }, 'mail'],
    ['e-mail of 255 characters', { mail: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}` }, 'mail'],
    ['password too short', { pass: 'short' }, 'pass'],
    ['password too long', { pass: 'p'.repeat(1025) }, 'pass'],
    ['number with letters', { age: '12abc' }, 'age'],
    ['number in exponent form', { age: '1e2' }, 'age'],
    ['number hexadecimal', { age: '0x10' }, 'age'],
    ['number not whole', { age: '1.5' }, 'age'],
    ['number below min', { age: '-1' }, 'age'],
    ['number above max', { age: '151' }, 'age'],
    ['required checkbox unchecked', { must: undefined }, 'must'],
    ['select not in options', { pick: 'c' }, 'pick'],
    ['select option from the prototype', { pick: 'toString' }, 'pick'],
    ['checkboxes not in options', { many: ['x', 'z'] }, 'many'],
    ['checkboxes option from the prototype', { many: 'constructor' }, 'many'],
    ['required checkboxes empty', { many: undefined }, 'many'],
    ['checkboxes with a non-string', { many: [{ a: 1 }] }, 'many'],
    ['control character', { free: 'a\u001bb' }, 'free'],
    ['DEL character', { story: 'a\u007fb' }, 'story'],
    ['line break in text', { free: 'a\rb' }, 'free'],
    ['array for text', { free: ['a', 'b'] }, 'free'],
    ['object for text', { free: { a: 'b' } }, 'free'],
    ['array for a checkbox', { ok: ['1'] }, 'ok'],
    ['array for a password', { pass: ['longenough', 'longenough'] }, 'pass'],
  ];
  for (const [what, body, field] of bad) {
    it(`refuses ${what} with one error at ${field}`, () => {
      expect(Object.keys(errorsOf(body))).to.deep.equal([field]);
    });
  }

  it('never keeps a refused password', () => {
    expect(extractValues(FIELDS, { ...GOOD, pass: 'short' }).values.pass).to.equal('');
  });

  it('an optional empty field is fine, a tab and a newline are fine in a textarea', () => {
    expect(errorsOf({ free: '', mail: '', age: '', pick: '', story: 'a\tb\nc' })).to.deep.equal({});
  });

  it('error messages do not echo long input', () => {
    const e = errorsOf({ many: ['x'.repeat(500)] });
    expect(e.many!.length).to.be.lessThan(200);
  });

  it('defineForm keeps field types for validate and submit (type-level)', () => {
    const form = defineForm({
      id: 'typed',
      submitLabel: 'Go',
      fields: { n: { type: 'number', label: 'N' }, c: { type: 'checkbox', label: 'C' }, t: { type: 'text', label: 'T' }, m: { type: 'checkboxes', label: 'M', options: { a: 'A' } } },
      validate(v) {
        const n: number | undefined = v.n;
        const c: boolean = v.c;
        const t: string = v.t;
        const m: string[] = v.m;
        // @ts-expect-error a number field is not a string
        const wrong: string = v.n;
        void [n, c, t, m, wrong];
      },
      submit: () => undefined,
    });
    expect(form.id).to.equal('typed');
    // @ts-expect-error a select needs options
    defineForm({ id: 'x', submitLabel: 'x', fields: { s: { type: 'select', label: 'S' } }, submit: () => undefined });
  });
});

describe('select options in a given order', () => {
  const ctx = { req: { originalUrl: '/x' }, session: { csrfToken: () => 'token' }, render: () => '' } as unknown as RequestContext;
  const optionsOf = (fields: FieldDefinitions, name: string): string[] => {
    const vars = renderForm({ id: 'order_test', fields, submitLabel: 'Go', submit: () => undefined }, ctx, {}, {}) as unknown as { vars: { form: { fields: FieldView[] } } };
    return vars.vars.form.fields.find((f) => f.name === name)!.options.map((o) => `${o.value}:${o.label}`);
  };

  it('lists integer-like values in object order (ascending) unless `order` says otherwise', () => {
    const options = { 42: 'Alpha', 7: 'Zulu', 100: 'Mike' };
    expect(optionsOf({ s: { type: 'select', label: 'S', options } }, 's')).to.deep.equal(['7:Zulu', '42:Alpha', '100:Mike']);
    expect(optionsOf({ s: { type: 'select', label: 'S', options, order: ['42', '100', '7'] } }, 's')).to.deep.equal(['42:Alpha', '100:Mike', '7:Zulu']);
  });

  it('ignores order entries that are not options and shows options it leaves out after the others', () => {
    expect(optionsOf({ r: { type: 'radios', label: 'R', options: { a: 'A', b: 'B', c: 'C' }, order: ['c', 'nope', 'c'] } }, 'r')).to.deep.equal(['c:C', 'a:A', 'b:B']);
  });

  it('is a key of select and radios only (type-level)', () => {
    defineForm({ id: 'x', submitLabel: 'x', fields: { s: { type: 'select', label: 'S', options: { a: 'A' }, order: ['a'] } }, submit: () => undefined });
    // @ts-expect-error checkboxes take no order
    defineForm({ id: 'x', submitLabel: 'x', fields: { s: { type: 'checkboxes', label: 'S', options: { a: 'A' }, order: ['a'] } }, submit: () => undefined });
  });
});
