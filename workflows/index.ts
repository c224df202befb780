export { pipelineRun } from './pipelineRun';
export { matrixChunk } from './matrixChunk';
