import { deployWorkflowId, matrixChunkWorkflowId, runWorkflowId } from '../../../contract';

describe('runWorkflowId', () => {
  const runId = '1a2b3c4d-0000-4000-8000-000000000001';

  it('reads as project, pipeline and run number, with 8 hex of the run id', () => {
    expect(runWorkflowId({ project: 'shop', pipeline: 'build-and-test', number: 42, runId })).toBe(
      'shop.build-and-test.42-1a2b3c4d',
    );
  });

  it('differs for the same number in a pipeline created again, and for a rerun (a new number)', () => {
    const first = runWorkflowId({ project: 'shop', pipeline: 'ci', number: 1, runId });
    const recreated = runWorkflowId({
      project: 'shop',
      pipeline: 'ci',
      number: 1,
      runId: '9f8e7d6c-0000-4000-8000-000000000002',
    });
    const rerun = runWorkflowId({ project: 'shop', pipeline: 'ci', number: 2, runId });
    expect(new Set([first, recreated, rerun]).size).toBe(3);
    expect(deployWorkflowId(first, 'deploy')).not.toBe(deployWorkflowId(rerun, 'deploy'));
    expect(matrixChunkWorkflowId(first, 'test', 0)).toBe('shop.ci.1-1a2b3c4d-test-m0');
  });

  it('fits the stored column (160) with the longest names', () => {
    const name = `a${'b'.repeat(62)}`;
    const id = runWorkflowId({ project: name, pipeline: name, number: 2 ** 31 - 1, runId });
    expect(id.length).toBeLessThanOrEqual(160);
  });
});
