/**
 * Page numbers from the query string and the facts partials/pagination.ejs needs.
 */
export interface Page {
  page: number;
  perPage: number;
  skip: number;
}

export interface Pagination {
  page: number;
  pages: number;
  total: number;
  perPage: number;
  /** Links keep every other query parameter (filters, search words). */
  hrefFor(page: number): string;
}

/** `param` names the page number in the query string when a page has two lists ("page" by default). */
export function pageFrom(query: Record<string, unknown>, perPage: number, param = 'page'): Page {
  const value = query[param];
  const raw = Number(typeof value === 'string' ? value : 1);
  const page = Number.isInteger(raw) && raw >= 1 && raw <= 100_000 ? raw : 1;
  return { page, perPage, skip: (page - 1) * perPage };
}

export function paginate(basePath: string, query: Record<string, unknown>, page: Page, total: number, param = 'page'): Pagination {
  const pages = Math.max(1, Math.ceil(total / page.perPage));
  return {
    page: page.page,
    pages,
    total,
    perPage: page.perPage,
    hrefFor(n: number) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (k === param || k === 'lang') continue;
        if (typeof v === 'string' && v !== '') params.append(k, v);
        else if (Array.isArray(v)) for (const item of v) if (typeof item === 'string') params.append(k, item);
      }
      if (n > 1) params.set(param, String(n));
      const qs = params.toString();
      return qs ? `${basePath}?${qs}` : basePath;
    },
  };
}
