import type { RepoContext } from './context';
import { byteOrder, pageOfNames, registryPage } from './page';

/** GET /tags/list with `n` and `last` (lexical order); a Link header points at the next page. */
export async function listTags(ctx: RepoContext): Promise<void> {
  const page = registryPage(ctx.req);
  const rows = await ctx.db.registryTag.findMany({ where: { repo: ctx.name }, select: { name: true } });
  const names = rows.map((r) => r.name).sort(byteOrder);
  const { items, link } = pageOfNames(
    names,
    page,
    (last) => `/v2/${ctx.name}/tags/list?n=${page.limit}&last=${encodeURIComponent(last)}`,
  );
  if (link) ctx.res.setHeader('Link', link);
  ctx.res.status(200).json({ name: ctx.name, tags: items });
}
