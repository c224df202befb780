import { assertJsonDepth } from '../http/json-depth';
import type { Request } from 'express';
import { HttpError } from '../../lib/errors';
import { keyringOf, open } from '../../lib/secret-box';
import { isForgeType, type ForgeType } from '../../services/forges';
import type { TriggerContext } from '../../pipeline';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { audit } from '../crew/audit';
import { filterReason } from '../triggers/hook-filters';
import { claimHookBody, replayReason } from '../triggers/hook-replay';
import { providerOf, verifySignature } from '../triggers/hook-signature';
import { resolveParams } from '../../services/runs/params';
import { startRun } from '../../services/runs/start';
import { runSummary } from '../runs/view';
import { forgeEventOf, type ForgeEvent } from './forge-events';
import { clientOf } from './repositories';
import { compileFile, pipelineFilesAt, versionOf, type CompiledFile } from './repo-pipelines';
import { retest } from './retest';
import { startCommitStatus, startRunStatus } from './statuses';

type Repo = NonNullable<Awaited<ReturnType<typeof signedRepository>>>;

/** The connected repository the delivery is signed for; the same 401 for a missing one or a bad signature. */
async function signedRepository({ db, config }: ApiDeps, req: Request, raw: Buffer) {
  const repo = await db.forgeRepository.findUnique({
    where: { id: String(req.params.id).slice(0, 36) },
    include: { service: true, project: true },
  });
  const provider = providerOf(req.headers);
  const secret = repo ? open(keyringOf(config), repo.secret) : undefined;
  const type = repo?.service.type;
  if (!verifySignature(provider, req.headers, raw, secret) || !repo || !type || !isForgeType(type))
    throw new HttpError(401, 'Unauthorized', 'the delivery is not signed with this repository\u2019s secret');
  return { ...repo, type: type as ForgeType };
}

const triggerOf = (e: ForgeEvent, file: string): TriggerContext => ({
  event: e.event,
  ref: e.ref,
  branch: e.branch,
  tag: e.tag,
  sha: e.sha,
  repository: e.repository,
  actor: e.actor,
  delivery: e.delivery,
  action: e.action,
  file,
  pullRequest: e.pullRequest,
  fork: e.fork,
  // caches: a pull request reads its base branch's, every run falls back to the default branch's
  baseBranch: e.baseBranch,
  defaultBranch: e.defaultBranch,
});

/** One pipeline file at the pushed commit: its run, or the status that says why there is none. */
async function handleFile(deps: ApiDeps, repo: Repo, e: ForgeEvent, file: CompiledFile) {
  const sha = e.sha!;
  const target = { forgeRepositoryId: repo.id, sha };
  if (!file.ok) {
    await startCommitStatus(deps, `${repo.id}:${sha}:${file.path}`, {
      ...target,
      context: `containerops/${file.path}`,
      state: 'failure',
      description: file.error,
    });
    return { file: file.path, triggered: false, error: file.error };
  }
  const context = `containerops/${file.plan.name}`;
  const reason = filterReason(file.plan.triggers, e);
  if (reason) {
    // a required check must not hang on a pipeline that does not run here
    if (e.event === 'push' || e.event === 'pull_request')
      await startCommitStatus(deps, `${repo.id}:${sha}:${file.path}`, {
        ...target,
        context,
        state: 'success',
        description: `skipped: ${reason}`,
      });
    return { file: file.path, pipeline: file.plan.name, triggered: false, reason };
  }
  const { pipeline, version } = await versionOf(deps.db, repo.project, file);
  const { run, created } = await startRun(deps, {
    project: repo.project,
    pipeline,
    version,
    params: resolveParams(file.plan, undefined),
    trigger: 'webhook',
    triggerInfo: triggerOf(e, file.path),
    idempotencyKey: e.delivery ? `forge:${e.delivery}:${file.path}`.slice(0, 255) : undefined,
  });
  await startRunStatus(
    deps,
    { forgeRepositoryId: repo.id, sha, project: repo.project.name, pipeline: pipeline.name },
    run,
  );
  if (created)
    await audit(deps.db, {
      projectId: repo.projectId,
      action: 'run.triggered',
      target: `${pipeline.name}#${run.number}`,
      details: { runId: run.id, repository: repo.repository, event: e.event, sha, file: file.path },
    });
  return {
    file: file.path,
    triggered: true,
    run: runSummary(deps.config, repo.project.name, pipeline.name, run),
  };
}

/** What a verified, first-seen delivery does: a /retest, runs of the pipeline files, or nothing. */
async function respond(
  deps: ApiDeps,
  repo: Repo,
  e: ForgeEvent,
): Promise<{ status: number; answer: unknown }> {
  if (e.event === 'issue_comment') return { status: 202, answer: await retest(deps, repo, e) };
  if ((e.event !== 'push' && e.event !== 'pull_request') || !e.sha || e.deleted) {
    return { status: 202, answer: { triggered: false, reason: `event ${e.event} starts no pipeline here` } };
  }
  const client = clientOf(deps.config, repo.service);
  const files = await pipelineFilesAt(client, repo.repository, e.sha).catch((err: unknown) => {
    throw new HttpError(
      502,
      'Bad Gateway',
      `the pipeline files could not be read: ${(err as Error).message}`,
    );
  });
  if (files.length === 0)
    return { status: 202, answer: { triggered: false, reason: `no pipeline file at ${e.sha}` } };
  const results = [];
  for (const f of files) {
    const compiled = await compileFile(deps.db, repo.project, f.path, f.source);
    results.push(await handleFile(deps, repo, e, compiled));
  }
  return { status: results.some((r) => r.triggered) ? 201 : 202, answer: { sha: e.sha, results } };
}

export function forgeHookRoutes(deps: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/forge-hooks/:id',
      permission: 'public',
      summary: 'Webhook of a connected repository: runs its pipeline files at the commit; /retest comments',
      async handler(req, res) {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const repo = await signedRepository(deps, req, raw);
        let body: unknown;
        assertJsonDepth(raw);
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'Bad Request', 'the delivery body is not JSON');
        }
        const e = forgeEventOf(repo.type, req.headers, body);
        // a captured body re-sent under a new delivery id must not start runs (or a /retest) again
        const claim = await claimHookBody(deps.db, { forgeRepositoryId: repo.id }, raw, e.delivery);
        if (claim.replay) {
          res.status(202).json({ triggered: false, replay: true, reason: replayReason(claim.firstSeenAt) });
          return;
        }
        const { status, answer } = await respond(deps, repo, e).catch(async (err: unknown) => {
          // nothing (or not all) started: the sender's retry of this body is not a replay
          await claim.release().catch(() => undefined);
          throw err;
        });
        res.status(status).json(answer);
      },
    },
  ];
}
