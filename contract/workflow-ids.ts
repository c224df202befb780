/**
 * Every workflow id the platform builds, in one place: the API starts and finds workflows by
 * them and the run workflow names its children with them. Changing one strands running workflows.
 */

/** The `pipelineRun` workflow of one run. */
export const runWorkflowId = (runId: string) => `run-${runId}`;

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
