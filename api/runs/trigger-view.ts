import type { Client } from '@temporalio/client';
import type { TriggerContext } from '../../pipeline';
import type { Run } from '../../generated/prisma/client';
import { groupStateQuery } from '../../workflows/concurrency-group';
import { groupWorkflowIdOf } from '../../services/runs/concurrency';

/** How long GET of a queued run waits for its group's queue before answering without it. */
const QUEUE_QUERY_TIMEOUT_MS = 2000;

/** Where a queued run stands in its group's queue: the run holding the group and the runs ahead. */
async function waitingFor(client: Client, run: Run) {
  const group = run.concurrencyGroup!;
  const base = { concurrencyGroup: group };
  try {
    const state = await Promise.race([
      client.workflow.getHandle(groupWorkflowIdOf(run.projectId, group)).query(groupStateQuery),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('timeout')), QUEUE_QUERY_TIMEOUT_MS).unref(),
      ),
    ]);
    const position = state.queue.findIndex((e) => e.runId === run.id);
    return {
      ...base,
      heldBy: state.holder?.runId ?? null,
      ahead: position < 0 ? [] : state.queue.slice(0, position).map((e) => e.runId),
    };
  } catch {
    return base;
  }
}

/** The trigger details of a run (without the webhook payload) and, when queued, what it waits for. */
export async function triggerView(client: Client, run: Run) {
  const info = (run.triggerInfo as unknown as TriggerContext | null) ?? { event: run.trigger };
  const { payload, ...rest } = info;
  return {
    triggerInfo: { ...rest, payloadKept: payload !== undefined },
    concurrencyGroup: run.concurrencyGroup,
    ...(run.status === 'queued' && run.concurrencyGroup ? { waitingFor: await waitingFor(client, run) } : {}),
  };
}
