import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../../lib/db';
import { HttpError } from '../../lib/errors';
import type { RouteDef } from '../http/route';
import { findPipeline } from '../pipelines/service';
import { providerOf } from './hook-signature';

/** Deliveries kept per pipeline: the newest ones. */
export const DELIVERIES_KEPT = 100;
const EXCERPT_CHARS = 512;
/** Headers that carry or derive from a secret: never stored. */
const SECRET_HEADER = /signature|token|secret|authorization|cookie|hub-sig/i;

/** What the handler learnt before it answered (the answer itself comes with the outcome). */
export interface DeliveryFacts {
  event?: string;
  deliveryId?: string;
  runId?: string;
}

function keptHeaders(req: Request): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers).slice(0, 40)) {
    if (SECRET_HEADER.test(name) || value === undefined) continue;
    kept[name] = (Array.isArray(value) ? value.join(', ') : value).slice(0, 256);
  }
  return kept;
}

/** An answer -> outcome and reason: 2xx that started a run, 2xx that did not (and why), or the error. */
function outcomeOf(answer: { status: number; body?: Record<string, unknown>; error?: unknown }) {
  if (answer.error !== undefined) {
    const err = answer.error;
    const reason = err instanceof HttpError ? err.message : 'the delivery could not be handled';
    return { outcome: 'rejected', reason };
  }
  if (answer.body?.triggered) return { outcome: 'triggered', reason: 'started a run' };
  const replay = answer.body?.replay ? 'body replay: ' : '';
  return { outcome: 'ignored', reason: `${replay}${String(answer.body?.reason ?? 'nothing to do')}` };
}

/**
 * Keeps one delivery to `/hooks/:project/:pipeline` (when that pipeline exists) and drops the
 * pipeline's deliveries beyond the newest DELIVERIES_KEPT. Never throws: the sender's answer
 * does not depend on it.
 */
export async function recordDelivery(
  db: Db,
  req: Request,
  raw: Buffer,
  answer: { status: number; body?: Record<string, unknown>; error?: unknown; facts: DeliveryFacts },
): Promise<void> {
  try {
    const pipeline = await db.pipeline.findFirst({
      where: { name: String(req.params.pipeline), project: { name: String(req.params.project) } },
      select: { id: true },
    });
    if (!pipeline) return;
    const { outcome, reason } = outcomeOf(answer);
    await db.webhookDelivery.create({
      data: {
        id: crypto.randomUUID(),
        pipelineId: pipeline.id,
        provider: providerOf(req.headers) ?? null,
        event: answer.facts.event?.slice(0, 64) ?? null,
        deliveryId: answer.facts.deliveryId?.slice(0, 255) ?? null,
        status: answer.status,
        outcome,
        reason: reason.slice(0, 1000),
        headers: keptHeaders(req),
        bodyBytes: raw.length,
        bodyDigest: `sha256:${crypto.createHash('sha256').update(raw).digest('hex')}`,
        bodyExcerpt: raw
          .subarray(0, EXCERPT_CHARS * 4)
          .toString('utf8')
          .slice(0, EXCERPT_CHARS),
        runId: answer.facts.runId ?? null,
      },
    });
    await prune(db, pipeline.id);
  } catch {
    // a lost record of a delivery is not worth failing the delivery for
  }
}

async function prune(db: Db, pipelineId: string): Promise<void> {
  const oldestKept = await db.webhookDelivery.findFirst({
    where: { pipelineId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: DELIVERIES_KEPT - 1,
    select: { createdAt: true },
  });
  if (oldestKept) {
    await db.webhookDelivery.deleteMany({ where: { pipelineId, createdAt: { lt: oldestKept.createdAt } } });
  }
}

export function deliveryRoutes(db: Db): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/projects/:project/pipelines/:name/hook/deliveries',
      permission: { project: 'read' },
      summary: `The last ${DELIVERIES_KEPT} deliveries to the pipeline's webhook, newest first, accepted and rejected with the reason`,
      async handler(req, res, { project }) {
        const pipeline = await findPipeline(db, project!, String(req.params.name));
        const rows = await db.webhookDelivery.findMany({
          where: { pipelineId: pipeline.id },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: DELIVERIES_KEPT,
        });
        res.json({
          items: rows.map((d) => ({
            id: d.id,
            at: d.createdAt,
            provider: d.provider,
            event: d.event,
            delivery: d.deliveryId,
            status: d.status,
            outcome: d.outcome,
            reason: d.reason,
            headers: d.headers,
            body: { bytes: d.bodyBytes, digest: d.bodyDigest, excerpt: d.bodyExcerpt },
            runId: d.runId,
          })),
        });
      },
    },
  ];
}
