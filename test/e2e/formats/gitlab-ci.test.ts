import { startStack, type Stack } from '../../support/stack';
import { createProject, eventually, getRun, step, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

async function logsOf(runId: string, stepId: string, matrix = ''): Promise<string> {
  const query = matrix ? `?matrix=${encodeURIComponent(matrix)}` : '';
  const res = await stack.request(
    'GET',
    `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs${query}`,
  );
  return res.text();
}

const GITLAB_CI = `include:
  - local: ci/lint.yml
stages: [build, test]
variables:
  APP_NAME: demo
default:
  before_script:
    - echo "preparing"
.tests:
  stage: test
  script:
    - grep -q "demo release" dist/app.txt
build:
  stage: build
  variables: { MODE: release }
  script:
    - mkdir -p dist
    - echo "$APP_NAME $MODE" > dist/app.txt
  after_script:
    - echo "build finished with $CI_JOB_STATUS"
  artifacts:
    paths: [dist/]
unit:
  extends: .tests
  parallel:
    matrix:
      - SUITE: [fast, slow]
  script:
    - grep -q "demo release" dist/app.txt
    - echo "suite $SUITE of $APP_NAME"
cleanup:
  stage: .post
  when: always
  script: [echo "cleaning up"]
`;
const LINT = `lint:
  stage: test
  needs: []
  allow_failure: true
  script:
    - echo "lint found problems"; exit 2
`;

describe('a GitLab CI file saved through the API', () => {
  it('runs stages in order with artifacts, a parallel matrix, an included job allowed to fail, and an always job', async () => {
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, {
      source: GITLAB_CI,
      path: '.gitlab-ci.yml',
      name: 'demo-ci',
      files: { 'ci/lint.yml': LINT },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ name: 'demo-ci', format: 'gitlab-ci' });

    const run = await waitForRun(
      stack,
      project,
      (await trigger(stack, project, 'demo-ci', { APP_NAME: 'demo' })).id,
    );
    expect(run.status).toBe('succeeded');
    expect(step(run, 'build').status).toBe('succeeded');
    expect(step(run, 'lint')).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(step(run, 'cleanup').status).toBe('succeeded');
    expect(await logsOf(run.id, 'build')).toContain('build finished with success');
    const unit = await logsOf(run.id, 'unit', 'combination=SUITE=slow');
    expect(unit).toContain('$ echo "suite $SUITE of $APP_NAME"');
    expect(unit).toContain('suite slow of demo');
  });

  it('waits for an approval before a when: manual job, then runs it', async () => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines?path=.gitlab-ci.yml&name=manual-deploy`,
      {
        source:
          'build:\n  stage: build\n  script: [echo built]\ndeploy:\n  stage: deploy\n  when: manual\n  script: [echo "deployed by hand"]\n',
      },
    );
    expect(res.status).toBe(201);
    const started = await trigger(stack, project, 'manual-deploy');
    await eventually(async () => {
      const run = await getRun(stack, project, started.id);
      return run.steps.find((s) => s.id === 'deploy-approval' && s.status === 'waiting');
    }, 'the approval step to wait');
    const decided = await stack.request(
      'POST',
      `/api/v1/projects/${project}/runs/${started.id}/steps/deploy-approval/approval`,
      {
        decision: 'approve',
      },
    );
    expect(decided.status).toBe(200);
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    expect(await logsOf(run.id, 'deploy')).toContain('deployed by hand');
  });

  it('rejects a cache policy it cannot honour and an include it was not given, each at its line', async () => {
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, {
      source:
        'include: ci/missing.yml\nbuild:\n  cache: { paths: [node_modules/], policy: pull }\n  script: [npm ci]\n',
      path: '.gitlab-ci.yml',
    });
    expect(res.status).toBe(422);
    const { errors } = (await res.json()) as { errors: { path: string; line: number; message: string }[] };
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'include',
        line: 1,
        message: expect.stringContaining('ci/missing.yml was not supplied'),
      }),
      expect.objectContaining({
        path: expect.stringMatching(/^build\.cache/),
        line: 3,
        message: expect.stringContaining('pull'),
      }),
    ]);
  });
});
