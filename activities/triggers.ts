import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { startDownstreamRuns, type FinishedRun } from '../services/runs/upstream';
import { concurrencyGroup, enqueueSignal, type GroupEntry } from '../workflows/concurrency-group';

export interface TriggerActivityDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** the worker's Temporal client, made on first use */
  client: () => Promise<Client>;
}

/** Activities of triggers: joining a concurrency group's queue, starting downstream pipelines. */
export function createTriggerActivities(deps: TriggerActivityDeps) {
  return {
    /** Adds a run to its group's queue, starting the group's workflow if it is not running. */
    async enqueueInGroup(input: { groupWorkflowId: string; entry: GroupEntry }): Promise<void> {
      const client = await deps.client();
      await client.workflow.signalWithStart(concurrencyGroup, {
        workflowId: input.groupWorkflowId,
        taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
        args: [{ queue: [] }],
        signal: enqueueSignal,
        signalArgs: [input.entry],
        staticSummary: `concurrency group of run ${input.entry.runId}`,
      });
    },
    /** Starts the pipelines whose `on.pipeline` matches a finished run; returns their run ids. */
    async triggerDownstream(finished: FinishedRun): Promise<string[]> {
      const client = await deps.client();
      const { started, refused } = await startDownstreamRuns({ ...deps, client }, finished);
      for (const reason of refused)
        deps.logger.warn({ runId: finished.runId }, `downstream not started: ${reason}`);
      return started;
    },
  };
}
