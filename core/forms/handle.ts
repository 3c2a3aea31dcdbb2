import { HttpError, page, redirect, type HandlerResult, type RequestContext } from '../http/types.js';
import { template } from '../theme/renderable.js';
import { gridView, type GridView } from './grid.js';
import { defaultValues, extractValues } from './process.js';
import type { FieldDefinition, FormDefinition, FormErrors } from './types.js';

/** The form after every alter hook: general, then its family, then its own id. */
export function alteredForm(form: FormDefinition, ctx: RequestContext): FormDefinition {
  const context = { formId: form.id, baseId: form.baseId, request: ctx };
  const hooks = ctx.site.hooks;
  return hooks.alter('form.alter.id', hooks.alter('form.alter.base', hooks.alter('form.alter', form, context), context), context);
}

/**
 * Show or process a form, after the alter hooks changed it. GET shows it with its defaults. POST first checks
 * the CSRF token (403 when it is missing, forged or from another session
 * or form), then the fields' own checks, then the form's validate; on any
 * error the form is shown again (422) with what the user typed (never
 * passwords) and an error at each field; else submit runs, and its result
 * (default: back to the same page) is returned.
 */
export async function handleForm(definition: FormDefinition, ctx: RequestContext, title: string): Promise<HandlerResult> {
  const form = alteredForm(definition, ctx);
  if (ctx.req.method !== 'POST') return page(title, renderForm(form, ctx, defaultValues(form.fields), {}));
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  if (!ctx.session.checkCsrf(form.id, body._token)) {
    throw new HttpError(403, 'This form has expired or did not come from this site. Reload the page and submit it again.');
  }
  const { values, errors } = extractValues(form.fields, body);
  let all: FormErrors = errors;
  if (!Object.keys(errors).length && form.validate) all = onlyErrors((await form.validate(values, ctx)) ?? {});
  if (Object.keys(all).length) return page(title, renderForm(form, ctx, values as Record<string, unknown>, all), 422);
  return (await form.submit(values, ctx)) ?? redirect(ctx.req.originalUrl);
}

function onlyErrors(e: FormErrors): FormErrors {
  return Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v === 'string' && v !== ''));
}

/** The options as [value, label] pairs: those `order` names first, in its order, then the rest. */
function optionsInOrder(options: Readonly<Record<string, string>>, order: readonly string[] | undefined): [string, string][] {
  if (!order) return Object.entries(options);
  const first = [...new Set(order)].filter((v) => Object.hasOwn(options, v));
  const named = new Set(first);
  return [...first.map((v): [string, string] => [v, options[v]!]), ...Object.entries(options).filter(([v]) => !named.has(v))];
}

/** Template variables of one field as themes see it. */
export interface FieldView {
  readonly name: string;
  readonly id: string;
  readonly type: FieldDefinition['type'];
  readonly label: string;
  readonly description: string;
  readonly required: boolean;
  readonly disabled: boolean;
  readonly value: unknown;
  readonly error: string | undefined;
  readonly options: readonly { readonly value: string; readonly label: string; readonly selected: boolean }[];
  readonly attributes: Readonly<Record<string, string | number>>;
  readonly content: unknown;
  /** The table of a 'grid' field. */
  readonly grid: GridView | undefined;
}

/** The form as template variables: fields in order with values and errors, the CSRF token, the actions. */
export function renderForm(form: FormDefinition, ctx: RequestContext, values: Record<string, unknown>, errors: FormErrors) {
  const fields: FieldView[] = [];
  for (const [name, f] of Object.entries(form.fields)) {
    if (f.type === 'hidden') continue;
    const value = f.type === 'password' ? '' : values[name];
    const opts = 'options' in f ? optionsInOrder(f.options, 'order' in f ? f.order : undefined).map(([v, label]) => ({
      value: v, label, selected: Array.isArray(value) ? value.includes(v) : value === v,
    })) : [];
    const attributes: Record<string, string | number> = {};
    if (f.type === 'text' || f.type === 'textarea') attributes.maxlength = f.maxLength ?? (f.type === 'text' ? 255 : 65535);
    if ((f.type === 'text' || f.type === 'email' || f.type === 'password') && f.autocomplete) attributes.autocomplete = f.autocomplete;
    if (f.type === 'text' && f.placeholder) attributes.placeholder = f.placeholder;
    if (f.type === 'number') { if (f.min !== undefined) attributes.min = f.min; if (f.max !== undefined) attributes.max = f.max; attributes.step = f.integer ? 1 : 'any'; }
    if (f.type === 'textarea' && f.rows) attributes.rows = f.rows;
    const id = `edit-${form.id}-${name}`.replace(/[^a-z0-9-]/gi, '-');
    fields.push({
      name, id, type: f.type,
      label: f.type === 'markup' ? '' : f.label,
      description: f.type === 'markup' ? '' : (f.description ?? ''),
      required: f.type !== 'markup' && !!f.required,
      disabled: f.type !== 'markup' && !!f.disabled,
      value, error: errors[name], options: opts, attributes,
      content: f.type === 'markup' ? ctx.render(f.content) : undefined,
      grid: f.type === 'grid' ? gridView(f, name, id, value) : undefined,
    });
  }
  return template('form', {
    form: {
      id: form.id,
      action: ctx.req.originalUrl,
      token: ctx.session.csrfToken(form.id),
      fields,
      hidden: Object.entries(form.fields).filter(([, f]) => f.type === 'hidden').map(([name, f]) => ({ name, value: (f as { value: string }).value })),
      error: errors[''],
      errorCount: Object.keys(errors).length,
      // Errors of fields the user cannot see (hidden ones, or none at all) still need saying.
      otherErrors: Object.entries(errors).filter(([k, v]) => v && k !== '' && !fields.some((f) => f.name === k)).map(([, v]) => v),
      submitLabel: form.submitLabel,
      danger: !!form.danger,
      links: form.links ?? [],
    },
  });
}
