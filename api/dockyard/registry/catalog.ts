import type { Request, Response } from 'express';
import type { Db } from '../../../lib/db';
import type { Actor } from '../../crew/actor';
import { byteOrder, pageOfNames, registryPage } from './page';

/**
 * GET /v2/_catalog: the repositories (with at least one manifest) of the projects the caller can
 * read, every role reads, an admin all of them, in lexical order, paged with `n` and `last` and a
 * Link header to the next page, as the distribution spec describes.
 */
export async function listCatalog(db: Db, actor: Actor, req: Request, res: Response): Promise<void> {
  const page = registryPage(req);
  const mine = { OR: [{ userId: actor.userId }, { team: { members: { some: { userId: actor.userId } } } }] };
  const rows = await db.registryManifest.findMany({
    where: actor.isAdmin ? {} : { project: { roleBindings: { some: mine } } },
    distinct: ['repo'],
    select: { repo: true },
  });
  const names = rows.map((r) => r.repo).sort(byteOrder);
  const { items, link } = pageOfNames(
    names,
    page,
    (last) => `/v2/_catalog?n=${page.limit}&last=${encodeURIComponent(last)}`,
  );
  if (link) res.setHeader('Link', link);
  res.status(200).json({ repositories: items });
}
