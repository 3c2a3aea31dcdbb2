import { gridDefault, readGrid } from './grid.js';
import type { FieldDefinition, FieldDefinitions, FormValues } from './types.js';

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Whether a text is one e-mail address as the email field accepts it. */
export function isEmail(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}
const CONTROL = /[\0-\x08\x0b\x0c\x0e-\x1f\x7f]/;
/** Longest text a text field takes when it does not say. */
export const DEFAULT_TEXT_MAX = 255;
/** Longest text a textarea takes when it does not say. */
export const DEFAULT_TEXTAREA_MAX = 65_535;

/** The values a form starts with: each field's default. */
export function defaultValues(fields: FieldDefinitions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (f.type === 'markup') continue;
    if (f.type === 'hidden') out[name] = f.value;
    else if (f.type === 'password') out[name] = '';
    else if (f.type === 'checkbox') out[name] = f.default ?? false;
    else if (f.type === 'checkboxes') out[name] = [...(f.default ?? [])];
    else if (f.type === 'grid') out[name] = gridDefault(f);
    else out[name] = f.default ?? (f.type === 'number' ? undefined : '');
  }
  return out;
}

/**
 * Read a submitted body against the fields: type each value, apply each
 * field's own checks (required, length, format, range, allowed options,
 * control characters) and collect one error per field. Keys the form does
 * not have are ignored; hidden fields keep the server's value.
 */
export function extractValues(fields: FieldDefinitions, body: Readonly<Record<string, unknown>>): { values: FormValues; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (f.type === 'markup') continue;
    if (f.type === 'hidden') { values[name] = f.value; continue; }
    // A disabled field cannot be changed: whatever a forged post says, it keeps its default.
    if (f.disabled) { values[name] = defaultValues({ [name]: f })[name]; continue; }
    const r = f.type === 'grid' ? readGrid(f, name, body) : readField(f, Object.hasOwn(body, name) ? body[name] : undefined);
    values[name] = r.value;
    if (r.error) errors[name] = r.error;
  }
  return { values: values as FormValues, errors };
}

function single(raw: unknown): string | undefined | null {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  return null;
}

function readField(f: Exclude<FieldDefinition, { type: 'hidden' | 'markup' | 'grid' }>, raw: unknown): { value: unknown; error?: string } {
  const label = f.label;
  if (f.type === 'checkboxes') {
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (!list.every((v): v is string => typeof v === 'string')) return { value: [], error: `${label}: the choice is invalid.` };
    const bad = list.find((v) => !Object.hasOwn(f.options, v));
    if (bad !== undefined) return { value: [], error: `${label}: "${bad.slice(0, 40)}" is not one of the choices.` };
    if (f.required && list.length === 0) return { value: list, error: `${label} is required.` };
    return { value: [...new Set(list)] };
  }
  const s = single(raw);
  if (s === null) return { value: f.type === 'checkbox' ? false : '', error: `${label} must be a single value.` };
  if (f.type === 'checkbox') {
    const on = s !== undefined && s !== '' && s !== '0';
    if (f.required && !on) return { value: false, error: `${label} must be checked.` };
    return { value: on };
  }
  const text = f.type === 'password' ? (s ?? '') : (s ?? '').trim();
  if (CONTROL.test(text)) return { value: '', error: `${label} contains control characters.` };
  if (f.type === 'textarea' ? false : /[\r\n]/.test(text)) return { value: text.replace(/[\r\n]+/g, ' '), error: `${label} must be one line.` };
  if (text === '') {
    if (f.required) return { value: f.type === 'number' ? undefined : '', error: `${label} is required.` };
    return { value: f.type === 'number' ? undefined : '' };
  }
  switch (f.type) {
    case 'text':
      if (text.length > (f.maxLength ?? DEFAULT_TEXT_MAX)) return { value: text, error: `${label} can be at most ${f.maxLength ?? DEFAULT_TEXT_MAX} characters.` };
      if (f.pattern && !f.pattern.test(text)) return { value: text, error: `${label}: ${f.patternHint ?? 'the format is not valid'}.` };
      return { value: text };
    case 'textarea':
      if (text.length > (f.maxLength ?? DEFAULT_TEXTAREA_MAX)) return { value: text, error: `${label} can be at most ${f.maxLength ?? DEFAULT_TEXTAREA_MAX} characters.` };
      return { value: text.replace(/\r\n/g, '\n') };
    case 'email':
      if (!isEmail(text)) return { value: text, error: `${label} is not a valid e-mail address.` };
      return { value: text };
    case 'password':
      if (text.length > 1024) return { value: '', error: `${label} is too long.` };
      if (f.minLength && text.length < f.minLength) return { value: '', error: `${label} must be at least ${f.minLength} characters.` };
      return { value: text };
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(text)) return { value: undefined, error: `${label} must be a number.` };
      const n = Number(text);
      if (f.integer && !Number.isInteger(n)) return { value: undefined, error: `${label} must be a whole number.` };
      if (f.min !== undefined && n < f.min) return { value: n, error: `${label} must be at least ${f.min}.` };
      if (f.max !== undefined && n > f.max) return { value: n, error: `${label} must be at most ${f.max}.` };
      return { value: n };
    }
    case 'select':
    case 'radios':
      if (!Object.hasOwn(f.options, text)) return { value: '', error: `${label}: the choice is not one of the options.` };
      return { value: text };
  }
}
