import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

/** A run waiting for, or holding, its concurrency group. */
export interface GroupEntry {
  /** the run's workflow id */
  workflowId: string;
  runId: string;
  cancelInProgress: boolean;
}

export interface GroupState {
  holder?: GroupEntry;
  queue: GroupEntry[];
}

/** A run asks for the group (sent with signalWithStart, so the first run creates the group's workflow). */
export const enqueueSignal = defineSignal<[GroupEntry]>('enqueue');
/** A run is done with the group, or gave up waiting; carries its workflow id. */
export const releaseSignal = defineSignal<[string]>('release');
/** Sent to the run whose turn it is. */
export const grantSignal = defineSignal('granted');
export const groupStateQuery = defineQuery<GroupState>('groupState');

/** How long an empty group's workflow stays open for the next run before it completes. */
const IDLE_MS = 60_000;

/**
 * One workflow per concurrency group: the queue of its runs, in arrival order, kept by Temporal
 * so worker and API restarts lose no place. One run holds the group at a time; a run with
 * cancelInProgress cancels the holder and every run still waiting, then waits its own turn.
 */
export async function concurrencyGroup(initial: GroupState = { queue: [] }): Promise<void> {
  let holder = initial.holder;
  const queue = [...initial.queue];
  const known = (id: string) => holder?.workflowId === id || queue.some((e) => e.workflowId === id);
  const cancels: Promise<unknown>[] = [];
  const cancel = (entry: GroupEntry) => {
    cancels.push(
      getExternalWorkflowHandle(entry.workflowId)
        .cancel()
        .catch(() => undefined),
    );
  };

  setHandler(groupStateQuery, () => ({ holder, queue: [...queue] }));
  setHandler(enqueueSignal, (entry) => {
    if (known(entry.workflowId)) return; // a retried enqueue
    if (entry.cancelInProgress) {
      if (holder) cancel(holder);
      for (const waiting of queue.splice(0)) cancel(waiting);
    }
    queue.push(entry);
  });
  setHandler(releaseSignal, (workflowId) => {
    if (holder?.workflowId === workflowId) holder = undefined;
    else {
      const i = queue.findIndex((e) => e.workflowId === workflowId);
      if (i >= 0) queue.splice(i, 1);
    }
  });

  for (;;) {
    const busy = await condition(() => !holder && queue.length > 0, IDLE_MS);
    if (!busy) {
      if (!holder && queue.length === 0) break;
      if (workflowInfo().continueAsNewSuggested) {
        await Promise.allSettled(cancels);
        await continueAsNew<typeof concurrencyGroup>({ holder, queue });
      }
      continue;
    }
    const next = queue.shift()!;
    holder = next;
    try {
      await getExternalWorkflowHandle(next.workflowId).signal(grantSignal);
    } catch {
      // the run ended before its turn came (cancelled or terminated): the next one goes
      if (holder === next) holder = undefined;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await Promise.allSettled(cancels);
      await continueAsNew<typeof concurrencyGroup>({ holder, queue });
    }
  }
  await Promise.allSettled(cancels);
}
