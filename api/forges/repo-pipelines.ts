import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { HttpError } from '../../lib/errors';
import type { ForgeClient } from '../../services/forges';
import type { ExecutionPlan } from '../../pipeline';
import type { Pipeline, PipelineVersion, Project } from '../../generated/prisma/client';
import { compileOr422 } from '../pipelines/service';
import { referenceNames } from '../scaler/reference-names';
import { isUniqueViolation } from '../crew/names';

export const PIPELINE_FILE = '.containerops.yml';
export const PIPELINE_DIR = '.containerops';
/** A repository with more pipeline files than this gets an error status for the rest. */
export const MAX_PIPELINE_FILES = 20;
const MAX_FILE_BYTES = 1024 * 1024;

/** The pipeline files at a commit, in a stable order: `.containerops.yml`, then `.containerops/*.yml`. */
export async function pipelineFilesAt(
  client: ForgeClient,
  repository: string,
  sha: string,
): Promise<{ path: string; source: string }[]> {
  const inDir = (await client.listFiles(repository, PIPELINE_DIR, sha))
    .filter((p) => /\.ya?ml$/.test(p))
    .sort();
  const paths = [PIPELINE_FILE, ...inDir].slice(0, MAX_PIPELINE_FILES + 1);
  const files: { path: string; source: string }[] = [];
  for (const path of paths) {
    const source = await client.readFile(repository, path, sha);
    if (source !== undefined) files.push({ path, source });
  }
  return files;
}

export type CompiledFile =
  | { ok: true; path: string; source: string; plan: ExecutionPlan }
  | { ok: false; path: string; error: string };

/** Compiles one file; an invalid one becomes `<path>:<line>:<col>: <message>` of its first error. */
export async function compileFile(
  db: Db,
  project: Project,
  path: string,
  source: string,
): Promise<CompiledFile> {
  if (Buffer.byteLength(source) > MAX_FILE_BYTES)
    return { ok: false, path, error: `${path}: larger than 1 MiB` };
  try {
    const { plan } = await compileOr422(db, source, await referenceNames(db, project.id));
    return { ok: true, path, source, plan };
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 422) throw err;
    const first = err.errors?.[0];
    const where = first?.line ? `${path}:${first.line}${first.col ? `:${first.col}` : ''}` : path;
    const what = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : err.message;
    return { ok: false, path, error: `${where}: ${what}` };
  }
}

/**
 * A repository's pipeline is stored like an uploaded one, under the name in its file: each
 * distinct source seen at a commit is a version (the same source again reuses its version), and
 * the latest version is the one last seen. Runs keep the version they ran, so a branch's file
 * never changes what another branch's run did.
 */
export async function versionOf(
  db: Db,
  project: Project,
  file: { source: string; plan: ExecutionPlan },
  raced = false,
): Promise<{ pipeline: Pipeline; version: PipelineVersion }> {
  const format = file.plan.format ?? 'native';
  const data = (pipelineId: string, version: number) => ({
    id: crypto.randomUUID(),
    pipelineId,
    version,
    source: file.source,
    format,
    plan: file.plan as object,
  });
  const existing = await db.pipeline.findUnique({
    where: { projectId_name: { projectId: project.id, name: file.plan.name } },
  });
  if (!existing) {
    try {
      return await db.$transaction(async (tx) => {
        const pipeline = await tx.pipeline.create({
          data: { id: crypto.randomUUID(), projectId: project.id, name: file.plan.name },
        });
        const version = await tx.pipelineVersion.create({ data: data(pipeline.id, 1) });
        return { pipeline, version };
      });
    } catch (err) {
      // another delivery created it first: take that one (once)
      if (isUniqueViolation(err) && !raced) return versionOf(db, project, file, true);
      throw err;
    }
  }
  const same = await db.pipelineVersion.findFirst({
    where: { pipelineId: existing.id, source: file.source },
    orderBy: { version: 'desc' },
  });
  if (same) return { pipeline: existing, version: same };
  return db.$transaction(async (tx) => {
    const pipeline = await tx.pipeline.update({
      where: { id: existing.id },
      data: { latestVersion: { increment: 1 } },
    });
    const version = await tx.pipelineVersion.create({ data: data(pipeline.id, pipeline.latestVersion) });
    return { pipeline, version };
  });
}
