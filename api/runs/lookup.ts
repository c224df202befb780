import type { Db } from '../../lib/db';
import { notFound } from '../../lib/errors';
import type { Project } from '../../generated/prisma/client';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A run of this project by id; anything else (malformed, other project) is "not found". */
export async function findRun(db: Db, project: Project, runId: string) {
  if (!UUID.test(runId)) throw notFound(`run ${JSON.stringify(runId)}`);
  const run = await db.run.findFirst({
    where: { id: runId, projectId: project.id },
    include: { pipeline: true, pipelineVersion: true },
  });
  if (!run) throw notFound(`run ${JSON.stringify(runId)}`);
  return run;
}
