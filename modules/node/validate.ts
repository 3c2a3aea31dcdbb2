import { extractValues } from '../../core/forms/process.js';
import type { FieldDefinition, FieldDefinitions } from '../../core/forms/types.js';
import type { Account } from '../../core/http/types.js';
import type { SiteContext } from '../../core/site/context.js';
import type { Node, NodeDraft, NodeFieldDefinition, NodeFieldError, NodeFieldValue, NodeType } from './types.js';

/** Longest title. */
export const TITLE_MAX = 255;

/**
 * The form field a node field is checked with (same type, same limits). A
 * reference is checked as a node id (a whole number from 1); the node form
 * shows it as a select of the target nodes instead (reference.ts).
 */
export function formField(f: NodeFieldDefinition): FieldDefinition {
  const base = { label: f.label, required: !!f.required, ...(f.description ? { description: f.description } : {}) };
  switch (f.type) {
    case 'text': return { ...base, type: 'text', ...(f.maxLength ? { maxLength: f.maxLength } : {}) };
    case 'textarea': return { ...base, type: 'textarea', ...(f.maxLength ? { maxLength: f.maxLength } : {}), rows: f.rows ?? 8 };
    case 'email': return { ...base, type: 'email' };
    case 'number': return { ...base, type: 'number', ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}), ...(f.integer ? { integer: true } : {}) };
    case 'checkbox': return { ...base, type: 'checkbox' };
    case 'select': return { ...base, type: 'select', options: f.options };
    case 'reference': return { ...base, type: 'number', integer: true, min: 1, max: Number.MAX_SAFE_INTEGER };
  }
}

/** The title's form field for a type. */
export function titleField(type: NodeType): FieldDefinition {
  return { type: 'text', label: type.titleLabel, required: true, maxLength: TITLE_MAX };
}

/** The empty value of a field. */
export function emptyValue(f: NodeFieldDefinition): NodeFieldValue {
  return f.type === 'number' || f.type === 'reference' ? null : f.type === 'checkbox' ? false : '';
}

function typeOk(f: NodeFieldDefinition, v: unknown): boolean {
  if (f.type === 'number' || f.type === 'reference') return v === null || (typeof v === 'number' && Number.isFinite(v));
  if (f.type === 'checkbox') return typeof v === 'boolean';
  return typeof v === 'string';
}

function asSubmitted(v: NodeFieldValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? '1' : '';
  return String(v);
}

/**
 * Check a draft against its type: the title, the flags, and every field
 * value (unknown fields, wrong value types, the form field's own rules:
 * required, length, format, range, options; then the field's own `check`). Returns the problems and the
 * normalised draft (trimmed text, every field present).
 */
export function checkDraft(type: NodeType, draft: NodeDraft): { draft: NodeDraft; errors: NodeFieldError[] } {
  const errors: NodeFieldError[] = [];
  const defs: Record<string, FieldDefinition> = { title: titleField(type) };
  const body: Record<string, string> = {};
  if (typeof draft.title === 'string') body.title = draft.title;
  else errors.push({ field: 'title', message: `${type.titleLabel} must be text.` });
  for (const key of Object.keys(draft.fields)) {
    if (!Object.hasOwn(type.fields, key)) errors.push({ field: key, message: `"${key}" is not a field of ${type.label}.` });
  }
  for (const [name, f] of Object.entries(type.fields)) {
    const v = Object.hasOwn(draft.fields, name) ? draft.fields[name] : emptyValue(f);
    if (!typeOk(f, v)) { errors.push({ field: name, message: `${f.label} has a value of the wrong kind.` }); continue; }
    defs[name] = formField(f);
    body[name] = asSubmitted(v as NodeFieldValue);
  }
  for (const flag of ['status', 'promote', 'sticky'] as const) {
    if (typeof draft[flag] !== 'boolean') errors.push({ field: flag, message: `"${flag}" must be true or false.` });
  }
  for (const n of ['uid', 'created', 'changed'] as const) {
    if (!Number.isSafeInteger(draft[n]) || draft[n] < 0) errors.push({ field: n, message: `"${n}" must be a whole number of at least 0.` });
  }
  const { values, errors: fieldErrors } = extractValues(defs as FieldDefinitions, body);
  for (const [field, message] of Object.entries(fieldErrors)) errors.push({ field, message });
  const fields: Record<string, NodeFieldValue> = {};
  for (const name of Object.keys(type.fields)) {
    if (!Object.hasOwn(defs, name)) continue;
    const v = values[name];
    fields[name] = v === undefined ? null : (v as NodeFieldValue);
    const problem = fieldErrors[name] === undefined ? type.fields[name]!.check?.(fields[name]!) : undefined;
    if (problem) errors.push({ field: name, message: problem });
  }
  return { draft: { ...draft, title: typeof values.title === 'string' ? values.title : draft.title, fields }, errors };
}

/**
 * Every problem of a draft: the type's own checks first, then what the
 * 'node.validate' implementations add. Runs outside any transaction.
 */
export function validateNode(site: SiteContext, type: NodeType, draft: NodeDraft, account: Account): { draft: NodeDraft; errors: NodeFieldError[] } {
  const checked = checkDraft(type, draft);
  const extra = site.hooks.collect('node.validate', { node: checked.draft, site, account }).map((c) => c.value);
  return { draft: checked.draft, errors: [...checked.errors, ...extra] };
}

/**
 * The checks that need the database: 'node.check' on a frozen copy of a
 * draft that passed validateNode, outside any transaction. Returns the
 * problems its implementations pushed (the node module's own checks the
 * reference fields).
 */
export async function checkNode(site: SiteContext, draft: NodeDraft, original: Node | undefined, account: Account): Promise<NodeFieldError[]> {
  const problems: NodeFieldError[] = [];
  const node = Object.freeze({ ...draft, fields: Object.freeze({ ...draft.fields }) });
  await site.hooks.emit('node.check', { node, original, site, account, problems });
  return problems;
}
