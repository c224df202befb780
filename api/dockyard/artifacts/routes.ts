import type { Request } from 'express';
import { createBlobStore, type BlobStore } from '../../../lib/blobs';
import { forbidden, invalid } from '../../../lib/errors';
import { ARTIFACT_NAME } from '../../../pipeline/artifact-paths';
import type { Actor } from '../../crew/actor';
import type { ApiDeps } from '../../deps';
import { integerParam, plainInt } from '../../http/integer-params';
import type { RouteDef } from '../../http/route';
import { findRun } from '../../runs/lookup';
import { downloadLinkRoutes } from './download-links';
import { sendArtifact, storeArtifact, type ArtifactKind } from './store';

/** Packed artifacts are bounded only to stop a runaway upload; large outputs by the DSL's 100 MB. */
export const MAX_ARTIFACT_BYTES = 20 * 1024 ** 3;
export const MAX_OUTPUT_BYTES = 100 * 1024 * 1024;
const OUTPUT_NAME = /^[A-Za-z0-9._\-[\]=,]{1,255}$/;

function checkName(name: string, pattern: RegExp): string {
  if (!pattern.test(name)) {
    throw invalid(`name ${JSON.stringify(name)} is not valid`, [
      { path: 'name', message: `must match ${pattern.source}` },
    ]);
  }
  return name;
}

/** A run token writes only into its own run. */
function assertOwnRun(actor: Actor, runId: string): void {
  if (actor.run && actor.run.runId !== runId) throw forbidden('a run token writes only to its own run');
}

function uploadFacts(req: Request) {
  const q = req.query;
  return {
    stepId: typeof q.step === 'string' && q.step ? q.step.slice(0, 64) : undefined,
    matrixKey: typeof q.matrix === 'string' ? q.matrix.slice(0, 255) : '',
    attempt: integerParam('attempt', q.attempt, plainInt(1)) ?? 1,
  };
}

interface StoredKind {
  kind: ArtifactKind;
  segment: string;
  namePattern: RegExp;
  contentType: string;
  limit: number;
  getSummary: string;
  putSummary: string;
}

/** Download and upload of one stored kind (packed artifacts, large outputs): the same rules, other limits. */
function storedRoutes(db: ApiDeps['db'], store: () => BlobStore, k: StoredKind): RouteDef[] {
  const path = `/projects/:project/runs/:run/${k.segment}/:name`;
  return [
    {
      method: 'get',
      path,
      permission: { project: 'read' },
      runToken: true,
      summary: k.getSummary,
      async handler(req, res, { project }) {
        const run = await findRun(db, project!, String(req.params.run));
        const name = checkName(String(req.params.name), k.namePattern);
        await sendArtifact(db, store(), req, res, { runId: run.id, name, kind: k.kind });
      },
    },
    {
      method: 'put',
      path,
      permission: { project: 'write-artifacts' },
      runToken: true,
      summary: k.putSummary,
      async handler(req, res, { project, actor }) {
        const run = await findRun(db, project!, String(req.params.run));
        assertOwnRun(actor, run.id);
        const name = checkName(String(req.params.name), k.namePattern);
        const stored = await storeArtifact(db, store(), req, {
          runId: run.id,
          name,
          kind: k.kind,
          contentType: k.contentType,
          limit: k.limit,
          ...uploadFacts(req),
        });
        res.status(201).json({ name: stored.name, digest: stored.digest, size: stored.size });
      },
    },
  ];
}

/** dockyard: a run's artifacts (packed tar.gz) and large outputs, for users and for steps (run tokens). */
export function artifactRoutes({ db, config }: ApiDeps): RouteDef[] {
  let blobStore: BlobStore | undefined;
  const store = () => (blobStore ??= createBlobStore(config));
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run/artifacts',
      permission: { project: 'read' },
      runToken: true,
      summary: "A run's artifacts: {items: [{name, step, matrix, attempt, digest, size, createdAt}]}",
      async handler(req, res, { project }) {
        const run = await findRun(db, project!, String(req.params.run));
        const rows = await db.artifact.findMany({
          where: { runId: run.id, kind: 'artifact' },
          orderBy: { createdAt: 'asc' },
        });
        res.json({
          items: rows.map((a) => ({
            name: a.name,
            step: a.stepId,
            matrix: a.matrixKey,
            attempt: a.attempt,
            digest: a.digest,
            size: Number(a.size),
            createdAt: a.createdAt,
          })),
        });
      },
    },
    ...downloadLinkRoutes(db, store),
    ...storedRoutes(db, store, {
      kind: 'artifact',
      segment: 'artifacts',
      namePattern: ARTIFACT_NAME,
      contentType: 'application/gzip',
      limit: MAX_ARTIFACT_BYTES,
      getSummary: 'Downloads an artifact (tar.gz) with a Digest header; Range supported',
      putSummary: 'Uploads an artifact (the body, streamed; ?step=&matrix=&attempt=) -> {name, digest, size}',
    }),
    ...storedRoutes(db, store, {
      kind: 'output',
      segment: 'outputs',
      namePattern: OUTPUT_NAME,
      contentType: 'text/plain; charset=utf-8',
      limit: MAX_OUTPUT_BYTES,
      getSummary: 'The full value of a step output stored by reference (over 64 KiB)',
      putSummary: 'Stores a large step output (up to 100 MB, streamed) -> {name, digest, size}',
    }),
    ...storedRoutes(db, store, {
      kind: 'snapshot',
      segment: 'snapshots',
      namePattern: OUTPUT_NAME,
      contentType: 'application/gzip',
      limit: MAX_ARTIFACT_BYTES,
      getSummary:
        'The workspace files a memoized step created or changed (tar.gz), restored when it is reused',
      putSummary: "Stores a memoized step's workspace changes (tar.gz, streamed) -> {name, digest, size}",
    }),
  ];
}
