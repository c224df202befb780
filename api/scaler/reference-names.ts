import type { Db } from '../../lib/db';
import type { ProjectNames } from '../../pipeline/validate';

/** The secret names a project's pipelines may refer to (compile checks them). */
export async function referenceNames(db: Db, projectId: string): Promise<ProjectNames> {
  const secrets = await db.projectSecret.findMany({ where: { projectId }, select: { name: true } });
  return { secrets: secrets.map((s) => s.name) };
}
