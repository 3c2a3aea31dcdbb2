import type { HandlerResult, RequestContext } from '../http/types.js';
import type { Renderable } from '../theme/renderable.js';

interface FieldBase {
  readonly label: string;
  readonly description?: string;
  readonly required?: boolean;
  readonly disabled?: boolean;
}

/** One row of a checkbox grid: a choice that each column may have or not. */
export interface GridRow {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
  /** Rows with the same group are shown together under it, in order of first appearance. */
  readonly group?: string;
  /** Shown with the row as a caution (a permission for trusted roles only). */
  readonly warning?: string;
}

/** A form field, typed: each type takes only the options that apply to it. */
export type FieldDefinition =
  | (FieldBase & { readonly type: 'text'; readonly maxLength?: number; readonly pattern?: RegExp; readonly patternHint?: string; readonly default?: string; readonly autocomplete?: string; readonly placeholder?: string })
  | (FieldBase & { readonly type: 'textarea'; readonly maxLength?: number; readonly rows?: number; readonly default?: string })
  | (FieldBase & { readonly type: 'email'; readonly default?: string; readonly autocomplete?: string })
  | (FieldBase & { readonly type: 'password'; readonly minLength?: number; readonly autocomplete?: string })
  | (FieldBase & { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean; readonly default?: number })
  | (FieldBase & { readonly type: 'checkbox'; readonly default?: boolean })
  | (FieldBase & {
    readonly type: 'select' | 'radios';
    readonly options: Readonly<Record<string, string>>;
    readonly default?: string;
    /**
     * Option values in display order (default: the options' own order).
     * Needed when values look like integers ("42"): JavaScript lists such
     * keys of an object first, in ascending order, whatever order they were
     * added in. Values not in `options` are ignored; options left out follow.
     */
    readonly order?: readonly string[];
  })
  | (FieldBase & { readonly type: 'checkboxes'; readonly options: Readonly<Record<string, string>>; readonly default?: readonly string[] })
  /**
   * A table of checkboxes, one per row and column (permissions by roles):
   * the value is the checked rows of each column. Each column posts as
   * `NAME[COLUMN]`, repeated for each checked row.
   */
  | (FieldBase & {
    readonly type: 'grid';
    readonly columns: Readonly<Record<string, string>>;
    readonly rows: readonly GridRow[];
    /** Heading of the rows' column (Permission). */
    readonly rowsLabel?: string;
    readonly default?: Readonly<Record<string, readonly string[]>>;
  })
  /** A value fixed by the server; what the browser sends for it is ignored. */
  | { readonly type: 'hidden'; readonly value: string }
  /** Content shown among the fields; takes no input. */
  | { readonly type: 'markup'; readonly content: Renderable };

/** Fields of a form by name, in display order. */
export type FieldDefinitions = Readonly<Record<string, FieldDefinition>>;

/** The value type a field yields. */
export type FieldValue<F> =
  F extends { type: 'checkbox' } ? boolean
  : F extends { type: 'number' } ? number | undefined
  : F extends { type: 'checkboxes' } ? string[]
  : F extends { type: 'grid' } ? Record<string, string[]>
  : F extends { type: 'markup' } ? undefined
  : string;

/** Submitted values, typed from the fields. */
export type FormValues<F extends FieldDefinitions = FieldDefinitions> = { readonly [K in keyof F]: FieldValue<F[K]> };

/** Errors by field name; the key '' is an error of the whole form; undefined entries are no error. */
export type FormErrors = Record<string, string | undefined>;

/** A declarative form: fields, optional extra validation, and what to do with valid input. */
export interface FormDefinition<F extends FieldDefinitions = FieldDefinitions> {
  /** Machine name; also the scope of the form's CSRF token. */
  readonly id: string;
  /** Family of forms it belongs to (`node_form` for every node type's form), for alter hooks. */
  readonly baseId?: string;
  readonly fields: F;
  readonly submitLabel: string;
  /** Extra links next to the submit button (Cancel). */
  readonly links?: readonly { readonly title: string; readonly href: string }[];
  /** Whether the submit button looks dangerous (delete confirmations). */
  readonly danger?: boolean;
  /** Checks after the fields' own checks passed; return errors by field name. */
  validate?(values: FormValues<F>, ctx: RequestContext): FormErrors | void | Promise<FormErrors | void>;
  /** Act on valid input; return where to go (default: the same page). */
  submit(values: FormValues<F>, ctx: RequestContext): HandlerResult | void | Promise<HandlerResult | void>;
}

/** Context of the form alter hooks. */
export interface FormAlterContext {
  readonly formId: string;
  readonly baseId: string | undefined;
  readonly request: RequestContext;
}

type FieldKeys<F> =
  F extends { type: 'hidden' } ? 'type' | 'value'
  : F extends { type: 'markup' } ? 'type' | 'content'
  : 'type' | 'label' | 'description' | 'required' | 'disabled' | (
    F extends { type: 'text' } ? 'maxLength' | 'pattern' | 'patternHint' | 'default' | 'autocomplete' | 'placeholder'
    : F extends { type: 'textarea' } ? 'maxLength' | 'rows' | 'default'
    : F extends { type: 'email' } ? 'default' | 'autocomplete'
    : F extends { type: 'password' } ? 'minLength' | 'autocomplete'
    : F extends { type: 'number' } ? 'min' | 'max' | 'integer' | 'default'
    : F extends { type: 'checkbox' } ? 'default'
    : F extends { type: 'grid' } ? 'columns' | 'rows' | 'rowsLabel' | 'default'
    : F extends { type: 'checkboxes' } ? 'options' | 'default'
    : 'options' | 'default' | 'order');

/** Fields whose definitions carry only the keys of their own type: an inferred literal is otherwise not checked for extra keys. */
type ExactFields<F> = {
  readonly [K in keyof F]: { readonly [P in keyof F[K]]: P extends FieldKeys<F[K]> ? F[K][P] : `"${P & string}" is not a key of this field type` };
};

/** Type-check a form definition (a key that does not belong to a field's type is an error), keeping the value types of its fields for validate and submit. */
export function defineForm<const F extends FieldDefinitions>(def: Omit<FormDefinition<F>, 'fields'> & { readonly fields: ExactFields<F> }): FormDefinition {
  return def as unknown as FormDefinition;
}
