/** A page link of a pager. */
export interface PagerLink {
  readonly page: number;
  readonly href: string;
  readonly current: boolean;
}

/** What pager.njk gets. */
export interface Pager {
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  readonly pageSize: number;
  readonly links: readonly PagerLink[];
  readonly previous: string | undefined;
  readonly next: string | undefined;
}

/** The page number asked for in `?page=N` (0-based), or 0 when absent or malformed. */
export function pageParam(query: Readonly<Record<string, string>>): number {
  const p = query.page;
  return p && /^\d{1,6}$/.test(p) ? Number(p) : 0;
}

/**
 * Pager links for a list of `total` items shown `pageSize` at a time, keeping
 * the other query parameters (sorting, filters) of the current path. Shows
 * at most nine page links around the current page.
 */
export function pager(path: string, query: Readonly<Record<string, string>>, total: number, page: number, pageSize: number): Pager {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(page, pages - 1);
  const href = (n: number): string => {
    const q = new URLSearchParams({ ...query });
    if (n === 0) q.delete('page'); else q.set('page', String(n));
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  const first = Math.max(0, Math.min(current - 4, pages - 9));
  const links: PagerLink[] = [];
  for (let n = first; n < Math.min(pages, first + 9); n++) links.push({ page: n, href: href(n), current: n === current });
  return {
    total, page: current, pages, pageSize, links,
    previous: current > 0 ? href(current - 1) : undefined,
    next: current < pages - 1 ? href(current + 1) : undefined,
  };
}
