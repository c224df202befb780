import type { RepoContext } from './context';
import { RegistryError } from './errors';

/** GET /tags/list with `n` and `last` (lexical order); a Link header points at the next page. */
export async function listTags(ctx: RepoContext): Promise<void> {
  const { n, last } = ctx.req.query;
  const limit = n === undefined ? undefined : Number(n);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new RegistryError(400, 'UNSUPPORTED', 'n must be a non-negative integer');
  }
  const rows = await ctx.db.registryTag.findMany({ where: { repo: ctx.name }, select: { name: true } });
  // byte order, not the database collation (which folds case)
  let names = rows.map((r) => r.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (typeof last === 'string') names = names.filter((t) => t > last);
  const page = limit === undefined ? names : names.slice(0, limit);
  if (limit !== undefined && names.length > limit && page.length) {
    const next = `/v2/${ctx.name}/tags/list?n=${limit}&last=${encodeURIComponent(page[page.length - 1]!)}`;
    ctx.res.setHeader('Link', `<${next}>; rel="next"`);
  }
  ctx.res.status(200).json({ name: ctx.name, tags: page });
}
