import { z } from 'zod';
import { plainInt } from './integer-params';
import { parseOr422 } from '../../lib/validate';

const pageQuery = z.object({
  limit: plainInt(1, 200).default(50),
  cursor: z.string().max(200).optional(),
});

export type Page = z.infer<typeof pageQuery>;

export function pageOf(query: unknown): Page {
  return parseOr422(pageQuery, query, 'query');
}

/** `{items, nextCursor}` from a query that fetched limit+1 rows. */
export function paged<T, R>(rows: T[], limit: number, cursorOf: (row: T) => string, view: (row: T) => R) {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(view);
  return { items, nextCursor: more ? cursorOf(rows[limit - 1]!) : null };
}
