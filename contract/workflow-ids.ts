/**
 * Every workflow id the platform builds, in one place: the API starts and finds workflows by
 * them and the run workflow names its children with them. Changing one strands running workflows.
 */

/**
 * The `pipelineRun` workflow of one run, chosen once when the run is created and stored on its row
 * (`Run.workflowId`); every later lookup reads the row. `<project>.<pipeline>.<number>-<8 hex>`,
 * e.g. `shop.build-and-test.42-1a2b3c4d`: names are `[a-z][a-z0-9-]`, so the dots split them
 * unambiguously; the run id's first 8 hex keep it unique when a deleted pipeline is created again
 * and its numbers restart. Runs created before this format keep `run-<runId>`.
 */
export const runWorkflowId = (run: { project: string; pipeline: string; number: number; runId: string }) =>
  `${run.project}.${run.pipeline}.${run.number}-${run.runId.replace(/-/g, '').slice(0, 8)}`;

/** The `deployment` child of a kubernetes-deploy step. */
export const deployWorkflowId = (runWorkflowId: string, stepId: string) =>
  `${runWorkflowId}-${stepId}-deploy`;

/** The `matrixChunk` child running part `index` (0-based) of a large matrix step. */
export const matrixChunkWorkflowId = (runWorkflowId: string, stepId: string, index: number) =>
  `${runWorkflowId}-${stepId}-m${index}`;

/** The `concurrencyGroup` queue of a project's group; `groupDigest`: hex sha256 of the group key. */
export const groupWorkflowId = (projectId: string, groupDigest: string) =>
  `group-${projectId}-${groupDigest.slice(0, 32)}`;

/** The `scheduledRun` workflows a pipeline schedule starts (Temporal appends the start time). */
export const scheduledWorkflowId = (scheduleId: string) => `scheduled-${scheduleId}`;
