import crypto from 'node:crypto';
import type { ExecutionPlan, PipelineError } from '../../pipeline';
import { compileOffThread } from './compile-pool';
import type { Db } from '../../lib/db';
import { conflict, invalid, notFound } from '../../lib/errors';
import type { Pipeline, PipelineVersion, Project } from '../../generated/prisma/client';
import type { ProjectNames } from '../../pipeline/validate';
import type { SourceFormat, SourceOptions } from '../../pipeline/formats/detect';
import { referenceNames } from '../scaler/reference-names';
import { catalogSnapshot } from '../nucleus/catalog';
import { assertNoTriggerLoop } from '../../services/runs/upstream';

/**
 * Compiles a source against the component catalog (resolving and pinning `uses:`), or throws
 * 422 listing every error with its path and line:col. Large sources compile in a compiler process.
 */
export async function compileOr422(
  db: Db,
  source: string,
  names: ProjectNames = {},
  options: SourceOptions = {},
): Promise<{ plan: ExecutionPlan; format: SourceFormat; warnings: PipelineError[] }> {
  const result = await compileOffThread(source, await catalogSnapshot(db), names, options);
  if (!result.ok) {
    throw invalid(
      `the pipeline has ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`,
      result.errors.map((e) => ({ path: e.path, line: e.line, col: e.col, message: e.message })),
    );
  }
  return { plan: result.plan, format: result.format, warnings: result.warnings };
}

export async function createPipeline(
  db: Db,
  project: Project,
  source: string,
  actorId: string,
  options: SourceOptions = {},
) {
  const names = await referenceNames(db, project.id);
  const { plan, format, warnings } = await compileOr422(db, source, names, options);
  await assertNoTriggerLoop(db, project.id, plan);
  const pipelineId = crypto.randomUUID();
  try {
    return await db.$transaction(async (tx) => {
      const pipeline = await tx.pipeline.create({
        data: { id: pipelineId, projectId: project.id, name: plan.name },
      });
      const version = await tx.pipelineVersion.create({
        data: {
          id: crypto.randomUUID(),
          pipelineId,
          version: 1,
          source,
          format,
          plan: plan as object,
          createdById: actorId,
        },
      });
      return { pipeline, version, warnings };
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw conflict(
        `pipeline ${plan.name} already exists in project ${project.name}; PUT a new version instead`,
      );
    }
    throw err;
  }
}

/** A new immutable version; the name in the document must match the pipeline's. */
export async function updatePipeline(
  db: Db,
  project: Project,
  name: string,
  source: string,
  actorId: string,
  options: SourceOptions = {},
) {
  const pipeline = await findPipeline(db, project, name);
  const names = await referenceNames(db, project.id);
  // a GitHub or GitLab document names no pipeline: it takes the name of the one it updates
  const { plan, format, warnings } = await compileOr422(db, source, names, { name, ...options });
  if (plan.name !== name) {
    throw invalid('the document names another pipeline', [
      {
        path: 'name',
        message: `is ${JSON.stringify(plan.name)}, but this is pipeline ${JSON.stringify(name)}`,
      },
    ]);
  }
  await assertNoTriggerLoop(db, project.id, plan);
  return db.$transaction(async (tx) => {
    const bumped = await tx.pipeline.update({
      where: { id: pipeline.id },
      data: { latestVersion: { increment: 1 } },
    });
    const version = await tx.pipelineVersion.create({
      data: {
        id: crypto.randomUUID(),
        pipelineId: pipeline.id,
        version: bumped.latestVersion,
        source,
        format,
        plan: plan as object,
        createdById: actorId,
      },
    });
    return { pipeline: bumped, version, warnings };
  });
}

export async function findPipeline(db: Db, project: Project, name: string): Promise<Pipeline> {
  const pipeline = await db.pipeline.findUnique({
    where: { projectId_name: { projectId: project.id, name } },
  });
  if (!pipeline) throw notFound(`pipeline ${JSON.stringify(name)}`);
  return pipeline;
}

export async function latestVersion(db: Db, pipeline: Pipeline): Promise<PipelineVersion> {
  return db.pipelineVersion.findUniqueOrThrow({
    where: { pipelineId_version: { pipelineId: pipeline.id, version: pipeline.latestVersion } },
  });
}

export function pipelineView(pipeline: Pipeline, version?: PipelineVersion) {
  return {
    name: pipeline.name,
    version: pipeline.latestVersion,
    createdAt: pipeline.createdAt,
    updatedAt: pipeline.updatedAt,
    ...(version
      ? {
          format: version.format,
          source: version.source,
          plan: version.plan,
          components: (version.plan as { components?: Record<string, string> }).components ?? {},
          versionCreatedAt: version.createdAt,
        }
      : {}),
  };
}

/** 409 while one of the pipeline's runs is not finished: deleting it would orphan their workflows. */
export async function assertDeletable(db: Db, pipeline: Pipeline): Promise<void> {
  const active = await db.run.count({
    where: { pipelineId: pipeline.id, status: { in: ['queued', 'running', 'waiting'] } },
  });
  if (active > 0) {
    throw conflict(
      `pipeline ${pipeline.name} has ${active} unfinished run${active === 1 ? '' : 's'}; cancel them first`,
    );
  }
}
