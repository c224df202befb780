import type { Actor } from '../crew/actor';
import { roleIn } from '../crew/membership';
import { roleAllows } from '../crew/roles';
import { audit } from '../crew/audit';
import { assertRerunnable, reusableSteps } from '../runs/control';
import { startRun } from '../../services/runs/start';
import { validatePlan, type TriggerContext } from '../../pipeline';
import { TERMINAL_RUN_STATUSES, type RunStatus } from '../../contract';
import type { ApiDeps } from '../deps';
import type { ForgeRepository, Project, Service } from '../../generated/prisma/client';
import { isRetest, type ForgeEvent } from './forge-events';
import { startRunStatus } from './statuses';

type Repo = ForgeRepository & { project: Project; service: Service };

/**
 * The forge user is our user of the same name (the forge's login): a team signs in to both with
 * the same names. Only a member who may run pipelines (developer or above) can /retest.
 */
async function commenterMayRun(deps: ApiDeps, repo: Repo, login: string): Promise<Actor | undefined> {
  const user = await deps.db.user.findUnique({ where: { name: login.slice(0, 64) } });
  if (!user || user.disabled) return undefined;
  const actor: Actor = { userId: user.id, name: user.name, isAdmin: user.isAdmin, tokenId: 'forge-comment' };
  const role = await roleIn(deps.db, actor, repo.projectId);
  return role && roleAllows(role, 'run') ? actor : undefined;
}

/** The latest run of each pipeline for the pull request. */
async function latestRunsOf(deps: ApiDeps, repo: Repo, pullRequest: number) {
  const runs = await deps.db.run.findMany({
    where: {
      projectId: repo.projectId,
      AND: [
        { triggerInfo: { path: '$.repository', equals: repo.repository } },
        { triggerInfo: { path: '$.pullRequest', equals: pullRequest } },
      ],
    },
    include: { pipeline: true, pipelineVersion: true },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  const latest = new Map<string, (typeof runs)[number]>();
  for (const r of runs) if (!latest.has(r.pipelineId)) latest.set(r.pipelineId, r);
  return [...latest.values()];
}

/** `/retest` on a pull request: reruns the failed steps of the latest run of each pipeline that did not succeed. */
export async function retest(deps: ApiDeps, repo: Repo, e: ForgeEvent) {
  if (!e.comment || !isRetest(e.comment.body) || e.pullRequest === undefined)
    return { triggered: false, reason: 'not a /retest comment on a pull request' };
  const actor = await commenterMayRun(deps, repo, e.comment.author);
  if (!actor)
    return {
      triggered: false,
      reason: `${e.comment.author} is not a member of the project who may run pipelines`,
    };
  const reruns = [];
  for (const run of await latestRunsOf(deps, repo, e.pullRequest)) {
    const status = run.status as RunStatus;
    if (!TERMINAL_RUN_STATUSES.includes(status) || status === 'succeeded') continue;
    assertRerunnable(run, 'failed');
    const plan = validatePlan(run.pipelineVersion.plan);
    const trigger = run.triggerInfo as unknown as TriggerContext;
    const { run: next } = await startRun(deps, {
      project: repo.project,
      pipeline: run.pipeline,
      version: run.pipelineVersion,
      params: run.params as Record<string, string>,
      trigger: 'rerun',
      triggerInfo: trigger,
      actorId: actor.userId,
      rerunOf: {
        id: run.id,
        workspaceId: run.workspaceId ?? run.id,
        from: 'failed',
        reuse: await reusableSteps(deps.db, run, plan),
      },
    });
    if (trigger.sha)
      await startRunStatus(
        deps,
        {
          forgeRepositoryId: repo.id,
          sha: trigger.sha,
          project: repo.project.name,
          pipeline: run.pipeline.name,
        },
        next,
        `queued (/retest by ${actor.name})`,
      );
    await audit(deps.db, {
      actor,
      projectId: repo.projectId,
      action: 'run.rerun',
      target: `${run.pipeline.name}#${next.number}`,
      details: { runId: next.id, of: run.id, from: 'failed', via: 'retest comment' },
    });
    reruns.push({ pipeline: run.pipeline.name, of: run.id, run: next.id, number: next.number });
  }
  return { triggered: reruns.length > 0, reruns };
}
