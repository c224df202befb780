import type { Request } from 'express';
import { plainInt } from '../../http/integer-params';
import { RegistryError } from './errors';

/** `n` beyond this is served as this many: one page never loads an unbounded list into an answer. */
export const MAX_PAGE_SIZE = 10_000;

export interface RegistryPage {
  /** at most this many entries; every entry when absent */
  limit?: number;
  /** entries sorted after this one only */
  last?: string;
}

const pageSize = plainInt(0, Number.MAX_SAFE_INTEGER);

/** `?n=&last=` of the list endpoints (tags, catalog), with the registry's error format. */
export function registryPage(req: Request): RegistryPage {
  const { n, last } = req.query;
  let limit: number | undefined;
  if (n !== undefined) {
    const parsed = pageSize.safeParse(n);
    if (!parsed.success)
      throw new RegistryError(400, 'PAGINATION_NUMBER_INVALID', 'n must be a non-negative plain integer');
    limit = Math.min(parsed.data, MAX_PAGE_SIZE);
  }
  if (last !== undefined && typeof last !== 'string')
    throw new RegistryError(400, 'UNSUPPORTED', 'last must be given once');
  return { limit, last };
}

/** Byte order, not the database collation (which folds case). */
export const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The page of sorted `names` after `last`, with the Link header of the next page when there is one. */
export function pageOfNames(names: string[], page: RegistryPage, nextUrl: (last: string) => string) {
  const after = page.last === undefined ? names : names.filter((name) => name > page.last!);
  const items = page.limit === undefined ? after : after.slice(0, page.limit);
  const more = page.limit !== undefined && after.length > page.limit && items.length > 0;
  return { items, link: more ? `<${nextUrl(items[items.length - 1]!)}>; rel="next"` : undefined };
}
