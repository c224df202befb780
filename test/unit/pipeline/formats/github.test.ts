import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilePipelineSource } from '../../../../pipeline';
import { compileOther, errorsOfOther, nodeOf, runNodeScript } from './run-script';

const FIXTURE = path.join(__dirname, '../../../fixtures/formats/github/ci.yml');
const CI = fs.readFileSync(FIXTURE, 'utf8');
const AS_WORKFLOW = { fileName: '.github/workflows/ci.yml' };

/** A one-job workflow around `steps` (YAML lines indented for a job's steps list). */
function job(...steps: string[]): string {
  return [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    ...steps.map((s) => `      ${s}`),
    '',
  ].join('\n');
}

describe('a GitHub Actions workflow compiles into the execution plan', () => {
  const plan = compileOther(CI, AS_WORKFLOW);

  it('derives the pipeline name from the workflow name and keeps the name as description', () => {
    expect(plan).toMatchObject({
      format: 'github-actions',
      name: 'ci-build-test',
      description: 'CI Build & Test',
    });
  });

  it('maps on: to the platform triggers, workflow_dispatch inputs and vars.* to params', () => {
    expect(plan.triggers).toEqual({
      push: { branches: ['main', 'release/**'], tags: ['v*'] },
      pull_request: { branches: ['main'] },
      schedule: [{ cron: '0 3 * * *', timezone: 'UTC', params: {}, overlap: 'skip' }],
    });
    expect(plan.params.map((p) => [p.name, p.default])).toEqual([
      ['greeting', 'hello'],
      ['verbose', 'false'],
      ['LEVEL', ''],
    ]);
    expect(plan.concurrency).toEqual({ group: 'ci-${{ trigger.ref }}', cancelInProgress: true });
  });

  it('turns jobs into steps with needs, matrix, strategy, timeout and artifacts; always() jobs run last', () => {
    expect(plan.nodes.map((n) => [n.id, n.needs])).toEqual([
      ['build', []],
      ['test', ['build']],
    ]);
    expect(plan.finally.map((n) => [n.id, n.needs, n.if])).toEqual([['report', ['build', 'test'], 'true']]);
    const build = nodeOf(plan, 'build');
    expect(build.timeoutMs).toBe(600_000);
    expect(build.artifacts.out).toEqual([{ name: 'dist', path: 'dist/' }]);
    const test = nodeOf(plan, 'test');
    expect(test.matrix).toEqual({
      combination: ['node=18,os=ubuntu-latest', 'experimental=true,node=20,os=ubuntu-latest'],
    });
    expect(test).toMatchObject({
      failFast: false,
      maxParallel: 2,
      artifacts: { in: [{ name: 'dist', from: 'build' }], out: [] },
    });
  });

  it('reports accepted-and-ignored keys as warnings', () => {
    const result = compileOther(CI, AS_WORKFLOW);
    expect(result.name).toBe('ci-build-test');
    expect(errorsOrWarnings(CI)).toEqual([expect.objectContaining({ path: 'permissions', line: 32 })]);
  });
});

function errorsOrWarnings(source: string) {
  return compilePipelineSource(source, undefined, {}, AS_WORKFLOW).warnings;
}

describe("a job's generated script", () => {
  const plan = compileOther(CI, AS_WORKFLOW);

  it("sets GitHub's default variables from the trigger", () => {
    const node = nodeOf(
      compileOther(
        job('- run: echo "$GITHUB_JOB $GITHUB_REF_NAME $GITHUB_SHA $GITHUB_EVENT_NAME"'),
        AS_WORKFLOW,
      ),
      'build',
    );
    const withPlanEnv = { ...node, env: { ...compileOther(job('- run: x'), AS_WORKFLOW).env, ...node.env } };
    const run = runNodeScript(withPlanEnv, { trigger: { event: 'push', tag: 'v1.2.0', sha: 'abc123' } });
    expect(run.stdout).toContain('build v1.2.0 abc123 push');
  });

  it('passes $GITHUB_OUTPUT, $GITHUB_ENV and $GITHUB_PATH between steps and sets job outputs', () => {
    const run = runNodeScript(nodeOf(plan, 'build'), {
      params: { greeting: 'hi', verbose: 'false', LEVEL: '' },
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('hi from 1.2.7 in release');
    expect(run.stdout).toContain('::step:: Only verbose (skipped)');
    expect(run.stdout).toContain('## Built');
    expect(run.outputs).toBe('version<<__CO_GH_OUTPUT_EOF__\n1.2.7\n__CO_GH_OUTPUT_EOF__\n');
    expect(fs.readFileSync(path.join(run.workspace, 'dist/app.txt'), 'utf8')).toBe('built\n');
  });

  it('runs later steps by their if: after a continue-on-error failure and fails with the first failed exit code', () => {
    const node = nodeOf(
      compileOther(
        job(
          '- { id: flaky, continue-on-error: true, run: exit 3 }',
          '- { if: "steps.flaky.outcome == \'failure\'", run: echo recovered }',
          '- run: exit 4',
          '- run: echo not run',
          '- { if: failure(), run: echo cleanup }',
          '- { if: always(), run: echo \"job is $CO_GH_JOB_STATUS\" }',
        ),
        AS_WORKFLOW,
      ),
      'build',
    );
    const run = runNodeScript(node);
    expect(run.status).toBe(4);
    const lines = run.stdout.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['recovered', 'cleanup', 'job is failure']));
    expect(lines).not.toContain('not run');
  });

  it('never pastes expression values into the script: a param holding shell code stays data', () => {
    const node = nodeOf(
      compileOther(
        [
          'on: { workflow_dispatch: { inputs: { title: { default: x } } } }',
          'jobs:',
          '  build:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: echo "title=${{ inputs.title }}"',
          '',
        ].join('\n'),
        AS_WORKFLOW,
      ),
      'build',
    );
    expect(node.script).toContain('echo "title=${CO_EXPR_1}"');
    expect(node.exprEnv).toEqual({ CO_EXPR_1: 'params["title"]' });
    const run = runNodeScript(node, { params: { title: '"; touch pwned; echo "' } });
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(run.workspace, 'pwned'))).toBe(false);
    expect(run.stdout).toContain('title="; touch pwned; echo "');
  });

  it('hands secrets to steps through env, never as text in the plan', () => {
    const node = nodeOf(compileOther(job('- run: echo "${{ secrets.TOKEN }}"'), AS_WORKFLOW), 'build');
    expect(node.script).toContain('${CO_GH_SECRET_TOKEN}');
    expect(Object.keys(node.env)).toEqual(['GITHUB_JOB', 'CO_GH_SECRET_TOKEN']);
    expect(JSON.stringify(node)).not.toContain('${{ secrets');
  });

  it("checks secret names against the project's, pointing at the job's steps", () => {
    const source = job('- run: echo "${{ secrets.NOPE }}"');
    const result = compilePipelineSource(source, undefined, { secrets: ['OTHER'] }, AS_WORKFLOW);
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'jobs.build.steps', line: 6, col: 7, message: 'unknown secret "NOPE" in this project' },
    ]);
  });

  it('evaluates GitHub functions with their semantics', () => {
    const node = nodeOf(
      compileOther(
        job(
          "- run: echo \"${{ format('{0}-{1}', 'a', 2) }} ${{ join(fromJSON('[1,2]'), '+') }} ${{ contains('Hello', 'ELL') }} ${{ startsWith('abc', 'A') && endsWith('abc', 'C') }}\"",
          '- run: echo "${{ toJSON(fromJSON(\'{"k":1}\')) }}"',
        ),
        AS_WORKFLOW,
      ),
      'build',
    );
    const run = runNodeScript(node);
    expect(run.stdout).toContain('a-2 1+2 true true');
    expect(run.stdout).toContain('"k": 1');
  });

  it('computes hashFiles() over the matched files in the workspace, empty when none match', () => {
    const node = nodeOf(
      compileOther(job('- run: echo "h=${{ hashFiles(\'**/*.lock\') }}"'), AS_WORKFLOW),
      'build',
    );
    expect(runNodeScript(node).stdout).toContain('h=\n');
    const hashIn = (files: Record<string, string>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-hash-'));
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      return /h=([0-9a-f]{64})/.exec(runNodeScript(node, {}, {}, dir).stdout)?.[1];
    };
    const top = hashIn({ 'yarn.lock': 'a' });
    expect(top).toBeDefined();
    expect(hashIn({ 'yarn.lock': 'a' })).toBe(top);
    expect(hashIn({ 'yarn.lock': 'b' })).not.toBe(top);
    expect(hashIn({ 'yarn.lock': 'a', 'pkg/x.lock': 'c' })).not.toBe(top);
  });
});

describe('features a workflow may not use are located errors naming the feature', () => {
  const cases: [string, string, string, number][] = [
    [
      'services options',
      job('- run: echo').replace(
        '    steps:',
        '    services:\n      db: { image: postgres, options: --health-cmd true }\n    steps:',
      ),
      'services: options',
      6,
    ],
    [
      'container',
      job('- run: echo').replace(
        '    steps:',
        '    container: { image: node:20, options: --cpus 1 }\n    steps:',
      ),
      'container: options',
      5,
    ],
    [
      'environment',
      job('- run: echo').replace('    steps:', '    environment: production\n    steps:'),
      'deployment environments',
      5,
    ],
    [
      'another action',
      job('- uses: actions/setup-node@v4', '- run: npm test'),
      'actions/checkout@*, actions/upload-artifact@*, actions/download-artifact@*, actions/cache@*',
      6,
    ],
    [
      'actions/cache/save',
      job('- uses: actions/cache/save@v4', '- run: make'),
      'separate restore and save',
      6,
    ],
    [
      'a release event',
      job('- run: echo').replace('on: push', 'on: { release: { types: [published] } }'),
      'the "release" event is not supported',
      1,
    ],
    [
      'branches-ignore',
      job('- run: echo').replace('on: push', 'on:\n  push: { branches-ignore: [wip] }'),
      'branches-ignore is not supported',
      2,
    ],
    ['pwsh', job('- { shell: pwsh, run: Write-Host hi }'), 'shell "pwsh" is not available', 6],
    ['an unknown context', job('- run: echo ${{ jobs.x }}'), 'unknown context "jobs"', 6],
    ['an unknown function', job('- run: echo ${{ lower(github.ref) }}'), 'unknown function lower()', 6],
    ['a checkout after run steps', job('- run: echo', '- uses: actions/checkout@v4'), 'must come before', 7],
    [
      'a reusable workflow',
      'on: push\njobs:\n  call:\n    uses: org/repo/.github/workflows/x.yml@v1\n',
      'reusable workflows',
      4,
    ],
    [
      'a computed matrix',
      job('- run: echo').replace(
        '    steps:',
        '    strategy:\n      matrix: ${{ fromJSON(needs.a.outputs.m) }}\n    steps:',
      ),
      'computed by an expression',
      6,
    ],
  ];
  it.each(cases)('%s', (_what, source, message, line) => {
    const errors = errorsOfOther(source, AS_WORKFLOW);
    expect(errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ line, message: expect.stringContaining(message) })]),
    );
  });
});

describe('actions/checkout becomes a git-clone step the job needs', () => {
  const plan = compileOther(
    fs.readFileSync(path.join(__dirname, '../../../fixtures/formats/github/checkout.yml'), 'utf8'),
    {
      fileName: '.github/workflows/checkout.yml',
    },
  );

  it('clones the triggering repository at its sha, or the CHECKOUT_URL param', () => {
    expect(plan.triggers).toEqual({ push: {} });
    expect(nodeOf(plan, 'own').needs).toEqual(['own-checkout']);
    expect(nodeOf(plan, 'own-checkout')).toMatchObject({
      kind: 'uses',
      uses: { name: 'git-clone', range: '1' },
      with: {
        url: '${{ has(trigger.payload.repository) && has(trigger.payload.repository.clone_url) ? trigger.payload.repository.clone_url : params.CHECKOUT_URL }}',
        ref: '${{ trigger.sha }}',
      },
    });
    expect(plan.params).toEqual([expect.objectContaining({ name: 'CHECKOUT_URL', default: '' })]);
  });

  it('maps repository, ref, path and fetch-depth to the component inputs', () => {
    expect(nodeOf(plan, 'other-checkout').with).toEqual({
      url: 'https://github.com/octo-org/tools.git',
      ref: 'v2',
      path: 'tools',
      depth: '0',
    });
  });

  it('rejects an input it does not map, naming it', () => {
    const errors = errorsOfOther(
      job('- uses: actions/checkout@v4', '  with: { submodules: true }', '- run: ls'),
      AS_WORKFLOW,
    );
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'jobs.build.steps[0].with.submodules',
        message: expect.stringContaining('submodules'),
      }),
    ]);
  });
});

describe("the shape of GitHub's starter workflows", () => {
  it('accepts matrix axes such as node-version, running one combination per value', () => {
    const source = fs.readFileSync(
      path.join(__dirname, '../../../fixtures/formats/github/node-starter.yml'),
      'utf8',
    );
    const plan = compileOther(source, { fileName: '.github/workflows/node.js.yml' });
    const build = nodeOf(plan, 'build');
    expect(build.matrix).toEqual({
      combination: ['node-version=18.x', 'node-version=20.x', 'node-version=22.x'],
    });
    const run = runNodeScript(
      { ...build, script: build.script!.split('\n# Run npm ci')[0] + '\nexit "$co_failed"\n' },
      {
        matrix: { combination: 'node-version=20.x' },
      },
    );
    expect(run.stdout).toContain('wanted node 20.x, have v');
  });
});

describe('more of a job script', () => {
  it('reads multi-line $GITHUB_ENV values, honours defaults.run.working-directory and a step timeout', () => {
    const source = [
      'on: push',
      'defaults: { run: { working-directory: sub } }',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - { working-directory: ., run: mkdir -p sub }',
      '      - run: |',
      '          { echo "NOTES<<EOF"; echo "line one"; echo "line two"; echo EOF; } >> "$GITHUB_ENV"',
      '      - run: printf "%s|%s\\n" "$(basename "$PWD")" "$NOTES"',
      '      - { timeout-minutes: 0.02, run: sleep 10 }',
      '',
    ].join('\n');
    const run = runNodeScript(nodeOf(compileOther(source, AS_WORKFLOW), 'build'));
    expect(run.stdout).toContain('sub|line one\nline two');
    expect(run.status).toBe(124);
  });

  it('rejects a matrix larger than GitHub allows before building it', () => {
    const axes = 'a: [' + Array.from({ length: 100 }, (_, i) => i).join(',') + '], b: [1, 2, 3]';
    const errors = errorsOfOther(
      job('- run: echo').replace('    steps:', `    strategy: { matrix: { ${axes} } }\n    steps:`),
      AS_WORKFLOW,
    );
    expect(errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('at most 256 combinations') }),
    ]);
  });
});

describe("values a job's script exports", () => {
  it('keep the text the author wrote as text: only translated references expand', () => {
    const node = nodeOf(
      compileOther(
        job(
          '- run: echo "$A|$B"',
          '  env:',
          '    A: "cost $5 ${HOME} `id` \\\\ \\"q\\""',
          '    B: "${{ github.run_number }}-x"',
        ),
        AS_WORKFLOW,
      ),
      'build',
    );
    expect(runNodeScript(node).stdout).toContain('cost $5 ${HOME} `id` \\ "q"|7-x');
  });
});
