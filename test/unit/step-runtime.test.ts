import type { RunStepInput } from '../../contract';
import { stepRuntimeName } from '../../activities/step-runtime';

const step = (over: Partial<RunStepInput>): RunStepInput => ({
  project: 'p',
  runId: 'r',
  stepId: 's',
  matrixKey: '',
  attempt: 1,
  kind: 'run',
  env: {},
  data: {},
  services: [],
  ...over,
});

describe('the runtime a step runs on', () => {
  it('an original flow job (image, no script) runs in a container, or on Kubernetes when the default is host processes', () => {
    const job = step({ image: 'containerops/components/python-flake8:1.0.0' });
    expect(stepRuntimeName(job, 'container')).toBe('container');
    expect(stepRuntimeName(job, 'local')).toBe('kubernetes');
    expect(stepRuntimeName(job, 'kubernetes')).toBe('kubernetes');
  });

  it('a script step follows its own runtime, else the worker default', () => {
    expect(stepRuntimeName(step({ script: 'true', image: 'x' }), 'local')).toBe('local');
    expect(stepRuntimeName(step({ script: 'true', runtime: 'container' }), 'local')).toBe('container');
  });

  it('a host component runs on the host instead of a container, never instead of Kubernetes', () => {
    const build = step({ kind: 'uses', uses: { name: 'image-build', range: '^1' } });
    expect(stepRuntimeName(build, 'container', true)).toBe('local');
    expect(stepRuntimeName({ ...build, runtime: 'container' }, 'local', true)).toBe('local');
    expect(stepRuntimeName(build, 'kubernetes', true)).toBe('kubernetes');
    expect(stepRuntimeName(build, 'local', true)).toBe('local');
  });
});
