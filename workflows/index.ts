export { pipelineRun } from './pipelineRun';
export { matrixChunk } from './matrixChunk';
export { deployment } from './deployment';
export { concurrencyGroup } from './concurrency-group';
export { scheduledRun } from './scheduled-run';
export { dockyardGc } from './dockyard-gc';
export { logRetention } from './log-retention';
export { forgeCommitStatus } from './forge-status';
