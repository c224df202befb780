import { truncationMarker } from '../../../activities/logarithm/sink';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

const CAP = 4096;

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: runaway
steps:
  - id: flood
    run: |
      for i in $(seq 1 2000); do echo "flood line $i"; done
      echo "still running" > after.txt
      echo "done=$(cat after.txt)" >> "$CO_OUTPUTS"
      echo "the last line"
`;

describe('a runaway step (CO_LOG_MAX_BYTES_PER_STEP)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ config: { CO_LOG_MAX_BYTES_PER_STEP: String(CAP) } });
  }, 180_000);
  afterAll(() => stack?.stop());

  it('keeps its first bytes and a marker, drops the rest, and runs to the end with its own status', async () => {
    const project = await createProject(stack);
    await createPipeline(stack, project, PIPELINE);
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'runaway')).id);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'flood')).toMatchObject({ status: 'succeeded', outputs: { done: 'still running' } });

    const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/flood/logs`);
    const lines = (await res.text()).split('\n').slice(0, -1);
    expect(lines.at(-1)).toBe(truncationMarker(CAP));
    const kept = lines.slice(0, -1);
    expect(kept.slice(0, 3)).toEqual(['flood line 1', 'flood line 2', 'flood line 3']);
    expect(kept.every((l, i) => l === `flood line ${i + 1}`)).toBe(true);
    expect(Buffer.byteLength(kept.join(''))).toBeLessThanOrEqual(CAP);
    expect(Buffer.byteLength(kept.join('') + `flood line ${kept.length + 1}`)).toBeGreaterThan(CAP);
    expect(lines).not.toContain('the last line');
  }, 120_000);
});
