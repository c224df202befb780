export { pipelineRun } from './pipelineRun';
export { matrixChunk } from './matrixChunk';
export { deployment } from './deployment';
