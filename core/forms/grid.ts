import type { FieldDefinition } from './types.js';

/** A grid field's definition. */
export type GridField = Extract<FieldDefinition, { type: 'grid' }>;

/** The body key a grid column posts as. */
export function gridKey(name: string, column: string): string {
  return `${name}[${column}]`;
}

/** The values a grid starts with: every column, with the rows its default checks. */
export function gridDefault(f: GridField): Record<string, string[]> {
  return Object.fromEntries(Object.keys(f.columns).map((c) => [c, [...(f.default?.[c] ?? [])]]));
}

/**
 * Read a grid from a submitted body: for each column, the repeated
 * `NAME[COLUMN]` values, each of which must be one of the rows. An unknown
 * value is an error that names the field, the column and the value; the
 * value is then the default, so nothing half-read is ever submitted.
 */
export function readGrid(f: GridField, name: string, body: Readonly<Record<string, unknown>>): { value: Record<string, string[]>; error?: string } {
  const rows = new Set(f.rows.map((r) => r.value));
  const value: Record<string, string[]> = {};
  for (const [column, columnLabel] of Object.entries(f.columns)) {
    const key = gridKey(name, column);
    const raw = Object.hasOwn(body, key) ? body[key] : undefined;
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (!list.every((v): v is string => typeof v === 'string')) return { value: gridDefault(f), error: `${f.label}: the choices for ${columnLabel} are invalid.` };
    const bad = list.find((v) => !rows.has(v));
    if (bad !== undefined) return { value: gridDefault(f), error: `${f.label}: "${bad.slice(0, 40)}" is not one of the choices for ${columnLabel}.` };
    value[column] = [...new Set(list)];
  }
  return { value };
}

/** One checkbox of a grid as themes see it. */
export interface GridCellView {
  readonly name: string;
  readonly id: string;
  readonly value: string;
  readonly checked: boolean;
  /** What the checkbox means in words (row and column), for screen readers. */
  readonly label: string;
}

/** A grid as template variables: the columns, and the rows in their groups with a cell per column. */
export interface GridView {
  readonly rowsLabel: string;
  readonly columns: readonly { readonly value: string; readonly label: string }[];
  readonly groups: readonly {
    readonly label: string;
    readonly rows: readonly { readonly value: string; readonly label: string; readonly description: string; readonly warning: string; readonly cells: readonly GridCellView[] }[];
  }[];
}

/** The template variables of a grid with its current values. */
export function gridView(f: GridField, name: string, id: string, value: unknown): GridView {
  const checked = (value ?? {}) as Readonly<Record<string, readonly string[]>>;
  const columns = Object.entries(f.columns).map(([v, label]) => ({ value: v, label }));
  const groups: { label: string; rows: GridView['groups'][number]['rows'][number][] }[] = [];
  f.rows.forEach((r, i) => {
    const label = r.group ?? '';
    let group = groups.find((g) => g.label === label);
    if (!group) groups.push(group = { label, rows: [] });
    group.rows.push({
      value: r.value, label: r.label, description: r.description ?? '', warning: r.warning ?? '',
      cells: columns.map((c, j) => ({
        name: gridKey(name, c.value), id: `${id}-${i + 1}-${j + 1}`, value: r.value,
        checked: checked[c.value]?.includes(r.value) ?? false, label: `${r.label}: ${c.label}`,
      })),
    });
  });
  return { rowsLabel: f.rowsLabel ?? '', columns, groups };
}
