import crypto from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { validatePlan, type TriggerContext } from '../../pipeline';
import { ConfigError } from '../../lib/config';
import { HttpError, notFound } from '../../lib/errors';
import { keyringOf, open, seal } from '../../lib/secret-box';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { parseOr422 } from '../../lib/validate';
import { audit } from '../crew/audit';
import { findPipeline, latestVersion } from '../pipelines/service';
import { resolveParams } from '../../services/runs/params';
import { startRun } from '../../services/runs/start';
import { runSummary } from '../runs/view';
import { normalizeEvent, type HookEvent } from './hook-events';
import { filterReason } from './hook-filters';
import { claimHookBody, replayReason } from './hook-replay';
import { HOOK_PROVIDERS, providerOf, verifySignature } from './hook-signature';
import { deliveryRoutes, recordDelivery, type DeliveryFacts } from './hook-deliveries';
import { assertJsonDepth } from '../http/json-depth';

/** Largest webhook body kept with the run (and seen as trigger.payload); larger ones are dropped. */
export const HOOK_PAYLOAD_LIMIT = 64 * 1024;

const hookBody = z.strictObject({
  provider: z.enum(HOOK_PROVIDERS),
  secret: z.string().min(16, 'must be at least 16 characters').max(256),
});

/** The secrets keyring; 503 naming CO_SECRETS_KEY when the deployment has none. */
function hookKeyring(config: ApiDeps['config']) {
  try {
    return keyringOf(config);
  } catch (err) {
    if (err instanceof ConfigError) throw new HttpError(503, 'Service Unavailable', err.message);
    throw err;
  }
}

const unauthorized = () =>
  new HttpError(401, 'Unauthorized', 'the delivery is not signed with this hook\u2019s secret');

/** What the code host calls: under CO_PUBLIC_URL, the address users (and code hosts) reach the API at. */
function hookUrl(config: ApiDeps['config'], project: string, pipeline: string): string {
  return `${config.publicUrl}/api/v1/hooks/${encodeURIComponent(project)}/${encodeURIComponent(pipeline)}`;
}

function triggerOf(e: HookEvent, raw: Buffer, body: unknown): TriggerContext {
  return {
    event: e.event,
    ref: e.ref,
    branch: e.branch,
    tag: e.tag,
    sha: e.sha,
    repository: e.repository,
    actor: e.actor,
    delivery: e.delivery,
    action: e.action,
    baseBranch: e.baseBranch,
    fork: e.fork,
    defaultBranch: e.defaultBranch,
    payload: raw.length <= HOOK_PAYLOAD_LIMIT ? body : undefined,
  };
}

/** The hook the delivery is signed for; the same 401 whether the project, pipeline or hook is missing or the signature is wrong. */
async function signedHook({ db, config }: ApiDeps, req: Request, raw: Buffer) {
  const provider = providerOf(req.headers);
  const hook = provider
    ? await db.webhook.findFirst({
        where: {
          provider,
          project: { name: String(req.params.project) },
          pipeline: { name: String(req.params.pipeline) },
        },
        include: { project: true, pipeline: true },
      })
    : null;
  const secret = hook ? open(hookKeyring(config), hook.secret) : undefined;
  if (!verifySignature(provider, req.headers, raw, secret) || !hook || !provider) throw unauthorized();
  return { hook, provider };
}

export function hookRoutes(deps: ApiDeps): RouteDef[] {
  return [...hookSetRoutes(deps), ...hookReadRoutes(deps), ...hookDeliveryRoutes(deps)];
}

/** Webhook deliveries and setting a hook. */
function hookSetRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    ...deliveryRoutes(db),
    {
      method: 'put',
      path: '/projects/:project/pipelines/:name/hook',
      permission: { project: 'write-pipelines' },
      summary: 'Connect a code host: store the signing secret of a GitHub, GitLab or generic webhook',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(hookBody, req.body);
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const secret = seal(hookKeyring(config), body.secret);
        await db.webhook.upsert({
          where: {
            projectId_pipelineId_provider: {
              projectId: project!.id,
              pipelineId: pipeline.id,
              provider: body.provider,
            },
          },
          create: {
            id: crypto.randomUUID(),
            projectId: project!.id,
            pipelineId: pipeline.id,
            provider: body.provider,
            secret,
            events: [],
          },
          update: { secret },
        });
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'hook.configured',
          target: pipeline.name,
          details: { provider: body.provider },
        });
        res.json({ provider: body.provider, url: hookUrl(config, project!.name, pipeline.name) });
      },
    },
  ];
}

/** Read and delete a hook. */
function hookReadRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name/hook',
      permission: { project: 'read' },
      summary: 'The webhooks of a pipeline (providers and URL; never the secret)',
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const hooks = await db.webhook.findMany({
          where: { pipelineId: pipeline.id },
          orderBy: { provider: 'asc' },
        });
        res.json({
          url: hookUrl(config, project!.name, pipeline.name),
          items: hooks.map((h) => ({ provider: h.provider, secretSet: true, createdAt: h.createdAt })),
        });
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/pipelines/:name/hook/:provider',
      permission: { project: 'write-pipelines' },
      summary: 'Disconnect a code host (its deliveries then get 401)',
      async handler(req, res, { actor, project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const { count } = await db.webhook.deleteMany({
          where: { pipelineId: pipeline.id, provider: String(req.params.provider) },
        });
        if (count === 0) throw notFound(`hook ${JSON.stringify(String(req.params.provider))}`);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'hook.removed',
          target: pipeline.name,
          details: { provider: String(req.params.provider) },
        });
        res.status(204).end();
      },
    },
  ];
}

/** Receive a signed delivery. */
function hookDeliveryRoutes(deps: ApiDeps): RouteDef[] {
  const { db } = deps;
  return [
    {
      method: 'post',
      path: '/hooks/:project/:pipeline',
      permission: 'public',
      summary: 'Code host webhook (GitHub, GitLab, generic HMAC): signature checked, then on: filters',
      async handler(req, res) {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const facts: DeliveryFacts = {};
        try {
          const { status, body } = await receiveHook(deps, req, raw, facts);
          await recordDelivery(db, req, raw, { status, body, facts });
          res.status(status).json(body);
        } catch (error) {
          const status = error instanceof HttpError ? error.status : 500;
          await recordDelivery(db, req, raw, { status, error, facts });
          throw error;
        }
      },
    },
  ];
}

/** One delivery: signature, replay guard, `on:` filters, then the run; the answer's status and body. */
async function receiveHook(
  deps: ApiDeps,
  req: Request,
  raw: Buffer,
  facts: DeliveryFacts,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const { db, config } = deps;
  const { hook, provider } = await signedHook(deps, req, raw);
  let body: unknown;
  assertJsonDepth(raw);
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Bad Request', 'the delivery body is not JSON');
  }
  const event = normalizeEvent(provider, req.headers, body);
  Object.assign(facts, { event: event.event, deliveryId: event.delivery });
  const claim = await claimHookBody(db, { webhookId: hook.id }, raw, event.delivery);
  if (claim.replay) {
    // 2xx: a sender that retries on failure stops here; the replay starts nothing either way
    return { status: 202, body: { triggered: false, replay: true, reason: replayReason(claim.firstSeenAt) } };
  }
  const version = await latestVersion(db, hook.pipeline);
  const plan = validatePlan(version.plan);
  const reason = filterReason(plan.triggers, event);
  if (reason) return { status: 202, body: { triggered: false, reason } };
  const pipeline = await findPipeline(db, hook.project, hook.pipeline.name);
  const { run, created } = await startRun(deps, {
    project: hook.project,
    pipeline,
    version,
    params: resolveParams(plan, undefined),
    trigger: 'webhook',
    triggerInfo: triggerOf(event, raw, body),
    idempotencyKey: event.delivery ? `hook:${provider}:${event.delivery}`.slice(0, 255) : undefined,
  }).catch(async (err: unknown) => {
    // nothing started: the sender's retry of this body is not a replay
    await claim.release().catch(() => undefined);
    throw err;
  });
  facts.runId = run.id;
  if (created) {
    await audit(db, {
      projectId: hook.projectId,
      action: 'run.triggered',
      target: `${pipeline.name}#${run.number}`,
      details: { runId: run.id, provider, event: event.event, delivery: event.delivery },
    });
  }
  return {
    status: created ? 201 : 200,
    body: { triggered: true, run: runSummary(config, hook.project.name, pipeline.name, run) },
  };
}
