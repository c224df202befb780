import { startStack, type Stack } from '../../support/stack';
import { createProject, step, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  const res = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
    name: 'DEPLOY_KEY',
    value: 's3cr3t-value',
  });
  if (res.status !== 201) throw new Error(`secret: ${res.status} ${await res.text()}`);
});
afterAll(async () => {
  await stack?.stop();
});

async function save(
  source: string,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await stack.request(
    'POST',
    `/api/v1/projects/${project}/pipelines?path=${encodeURIComponent(path)}`,
    { source },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function logsOf(runId: string, stepId: string, matrix = ''): Promise<string> {
  const query = matrix ? `?matrix=${encodeURIComponent(matrix)}` : '';
  const res = await stack.request(
    'GET',
    `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs${query}`,
  );
  return res.text();
}

const WORKFLOW = `name: Build and test
on:
  push: { branches: [main] }
  workflow_dispatch:
    inputs:
      greeting: { default: hello }
env:
  APP: demo
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: \${{ steps.meta.outputs.version }}
    steps:
      - id: meta
        run: |
          echo "version=1.0.\${{ github.run_number }}" >> "$GITHUB_OUTPUT"
          echo "STAGE=compiled" >> "$GITHUB_ENV"
      - name: Package
        env:
          KEY: \${{ secrets.DEPLOY_KEY }}
        run: |
          mkdir -p dist && echo "$APP $STAGE" > dist/app.txt
          echo "key is $KEY"
      - uses: actions/upload-artifact@v4
        with: { name: dist, path: dist/ }
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        shard: [1, 2]
    steps:
      - uses: actions/download-artifact@v4
        with: { name: dist }
      - name: Check
        run: |
          grep -q "demo compiled" dist/app.txt
          echo "\${{ inputs.greeting }} shard \${{ matrix.shard }} of \${{ needs.build.outputs.version }}"
      - id: flaky
        continue-on-error: true
        run: exit 4
      - if: steps.flaky.outcome == 'failure'
        run: echo "flaky step failed, job goes on"
`;

describe('a GitHub Actions workflow saved through the API', () => {
  it('runs its jobs, outputs, env, artifacts and matrix, and masks secrets', async () => {
    const saved = await save(WORKFLOW, '.github/workflows/ci.yml');
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ name: 'build-and-test', format: 'github-actions' });

    const run = await waitForRun(
      stack,
      project,
      (await trigger(stack, project, 'build-and-test', { greeting: 'hi' })).id,
    );
    expect(run.status).toBe('succeeded');
    expect(step(run, 'build').outputs).toEqual({ version: `1.0.${run.number}` });
    expect(run.steps.filter((s) => s.id === 'test' && s.matrixKey !== '').map((s) => s.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);

    const build = await logsOf(run.id, 'build');
    expect(build).toContain('key is ***');
    expect(build).not.toContain('s3cr3t-value');
    const test = await logsOf(run.id, 'test', 'shard=1');
    expect(test).toContain(`hi shard 1 of 1.0.${run.number}`);
    expect(test).toContain('flaky step failed, job goes on');
  });

  it('fails the run when a job fails, still runs an always() job, and skips the jobs that need the failed one', async () => {
    const saved = await save(
      `on: workflow_dispatch
jobs:
  broken:
    runs-on: ubuntu-latest
    steps:
      - run: echo "about to fail"; exit 3
      - run: echo "never printed"
  after:
    needs: broken
    runs-on: ubuntu-latest
    steps: [ { run: echo after } ]
  report:
    needs: [broken]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "broken was \${{ needs.broken.result }}"
`,
      '.github/workflows/failing.yml',
    );
    expect(saved.status).toBe(201);
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'failing')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'broken')).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(step(run, 'after').status).toBe('skipped');
    expect(step(run, 'report').status).toBe('succeeded');
    expect(await logsOf(run.id, 'report')).toContain('broken was failure');
    const broken = (await logsOf(run.id, 'broken')).split('\n');
    expect(broken).toContain('about to fail');
    expect(broken).not.toContain('never printed');
  });

  it('runs a failure() job only when a job it needs failed, not when another job of the run did', async () => {
    const saved = await save(
      `on: workflow_dispatch
jobs:
  broken: { runs-on: x, steps: [ { run: exit 5 } ] }
  packaged: { runs-on: x, needs: broken, steps: [ { run: echo packaged } ] }
  fine: { runs-on: x, steps: [ { run: echo fine } ] }
  on-broken:
    needs: packaged
    if: failure()
    runs-on: x
    steps: [ { run: echo "an ancestor failed" } ]
  on-fine:
    needs: fine
    if: failure()
    runs-on: x
    steps: [ { run: echo "never" } ]
  fine-ok:
    needs: fine
    if: always() && success()
    runs-on: x
    steps: [ { run: echo "fine succeeded" } ]
`,
      '.github/workflows/on-failure.yml',
    );
    expect(saved.status).toBe(201);
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'on-failure')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'packaged').status).toBe('skipped');
    expect(step(run, 'on-broken').status).toBe('succeeded');
    expect(await logsOf(run.id, 'on-broken')).toContain('an ancestor failed');
    expect(step(run, 'on-fine').status).toBe('skipped');
    expect(step(run, 'fine-ok').status).toBe('succeeded');
  });

  it('with fail-fast: false, the other matrix combinations run to the end when one fails', async () => {
    const saved = await save(
      `on: workflow_dispatch
jobs:
  shards:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      max-parallel: 1
      matrix:
        n: [1, 2, 3]
    steps:
      - run: |
          if [ "\${{ matrix.n }}" = 1 ]; then exit 9; fi
          echo "shard \${{ matrix.n }} done"
`,
      '.github/workflows/shards.yml',
    );
    expect(saved.status).toBe(201);
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'shards')).id);
    expect(run.status).toBe('failed');
    const combos = run.steps.filter((s) => s.id === 'shards' && s.matrixKey !== '');
    expect(combos.map((s) => [s.matrixKey, s.status])).toEqual([
      ['n=1', 'failed'],
      ['n=2', 'succeeded'],
      ['n=3', 'succeeded'],
    ]);
  });

  it('takes an explicit format, and answers 422 naming the parameter for an unknown one', async () => {
    const bogus = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines/validate?format=jenkins`,
      'on: push',
    );
    expect(bogus.status).toBe(422);
    expect(await bogus.json()).toMatchObject({ errors: [expect.objectContaining({ path: 'format' })] });
    const forced = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines/validate?format=github-actions`,
      {
        source: 'name: Forced\non: push\njobs:\n  a:\n    runs-on: x\n    steps: [ { run: echo } ]\n',
      },
    );
    expect(await forced.json()).toMatchObject({
      valid: true,
      format: 'github-actions',
      plan: { name: 'forced' },
    });
  });

  it('rejects an unsupported action at save time with its line and what is supported', async () => {
    const saved = await save(
      `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/setup-node@v4
      - run: npm test
`,
      '.github/workflows/lint.yml',
    );
    expect(saved.status).toBe(422);
    const errors = (saved.body as { errors: { path: string; line: number; message: string }[] }).errors;
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'jobs.lint.steps[0].uses',
        line: 6,
        message: expect.stringContaining('actions/checkout@*'),
      }),
    ]);
  });
});
