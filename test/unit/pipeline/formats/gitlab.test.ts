import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateCondition } from '../../../../pipeline';
import { compileOther, errorsOfOther, nodeOf, runNodeScript } from './run-script';

const DIR = path.join(__dirname, '../../../fixtures/formats/gitlab');
const SOURCE = fs.readFileSync(path.join(DIR, '.gitlab-ci.yml'), 'utf8');
const OPTIONS = {
  fileName: '.gitlab-ci.yml',
  files: { 'ci/templates.yml': fs.readFileSync(path.join(DIR, 'ci/templates.yml'), 'utf8') },
};
const AS_GITLAB = { fileName: '.gitlab-ci.yml' };
const ctx = (trigger: Record<string, unknown>, params: Record<string, string> = {}) => ({
  params,
  env: {},
  run: { id: 'r1', number: 3 },
  steps: {},
  trigger: { event: 'push', ...trigger },
});

describe('a GitLab CI file compiles into the execution plan', () => {
  const plan = compileOther(SOURCE, OPTIONS);

  it('names the pipeline from workflow:name and makes top-level variables params', () => {
    expect(plan).toMatchObject({ format: 'gitlab-ci', name: 'demo-pipeline', description: 'Demo pipeline' });
    expect(plan.params.map((p) => [p.name, p.default, p.description])).toEqual([
      ['APP_NAME', 'demo', undefined],
      ['GREETING', 'hello', 'What to say'],
    ]);
  });

  it('orders jobs by stage unless needs: says otherwise; an included job takes part', () => {
    expect(plan.nodes.map((n) => [n.id, n.needs])).toEqual([
      ['docs', []],
      ['build', []],
      ['unit', ['docs', 'build']],
      ['lint', []],
      ['deploy-approval', ['docs', 'build', 'unit', 'lint']],
      ['deploy', ['deploy-approval']],
    ]);
    expect(plan.finally.map((n) => n.id)).toEqual(['cleanup']);
  });

  it('merges default:, extends: and job keys, and maps artifacts, retry, timeout, allow_failure and image', () => {
    expect(nodeOf(plan, 'build')).toMatchObject({
      image: 'debian:bookworm',
      artifacts: { out: [{ name: 'build', path: 'dist/' }], in: [] },
    });
    expect(nodeOf(plan, 'unit')).toMatchObject({
      timeoutMs: 600_000,
      retry: { attempts: 2 },
      artifacts: { in: [{ name: 'build', from: 'build' }] },
    });
    expect(nodeOf(plan, 'unit').matrix).toEqual({ combination: ['SUITE=fast', 'SUITE=slow'] });
    expect(nodeOf(plan, 'lint').continueOnError).toBe(true);
    expect(nodeOf(plan, 'deploy-approval')).toMatchObject({
      kind: 'approval',
      approval: { approvers: ['role:maintainer'] },
    });
  });

  it('evaluates workflow:rules and rules:if/changes from the trigger', () => {
    const deploy = nodeOf(plan, 'deploy').if!;
    expect(evaluateCondition(deploy, ctx({ branch: 'main' }))).toBe(true);
    expect(evaluateCondition(deploy, ctx({ branch: 'wip-x' }))).toBe(false);
    const pushed = (files: string[]) => ctx({ branch: 'dev', payload: { commits: [{ modified: files }] } });
    expect(evaluateCondition(deploy, pushed(['src/a/b.ts']))).toBe(true);
    expect(evaluateCondition(deploy, pushed(['README.md']))).toBe(false);
    expect(evaluateCondition(deploy, ctx({ event: 'api' }))).toBe(true);
  });
});

describe("a GitLab job's generated script", () => {
  const plan = compileOther(SOURCE, OPTIONS);

  it('runs before_script and script with errexit, echoes commands, then after_script with the job status', () => {
    const run = runNodeScript(nodeOf(plan, 'build'), {}, { APP_NAME: 'demo' });
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        '$ echo "default before_script"',
        '$ mkdir -p dist',
        'multi-line',
        'command',
        'after the build (success)',
      ]),
    );
    expect(fs.readFileSync(path.join(run.workspace, 'dist/app.txt'), 'utf8')).toBe('demo release\n');
  });

  it('stops at the first failing command, still runs after_script, and exits with its code', () => {
    const node = nodeOf(
      compileOther(
        'job:\n  script:\n    - echo one\n    - exit 7\n    - echo never\n  after_script:\n    - echo "after $CI_JOB_STATUS"\n',
        AS_GITLAB,
      ),
      'job',
    );
    const run = runNodeScript(node);
    expect(run.status).toBe(7);
    expect(run.stdout.split('\n')).toEqual(expect.arrayContaining(['one', 'after failed']));
    expect(run.stdout.split('\n')).not.toContain('never');
  });

  it('gives each parallel:matrix combination its variables', () => {
    const run = runNodeScript(
      nodeOf(plan, 'unit'),
      { matrix: { combination: 'SUITE=slow' } },
      { GREETING: 'hi' },
      mkWorkspaceWithDist(),
    );
    expect(run.stdout).toContain('hi suite slow');
  });
});

function mkWorkspaceWithDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-gl-'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist/app.txt'), 'x');
  return dir;
}

describe('GitLab features the platform does not run are located errors naming the feature', () => {
  const cases: [string, string, string, number][] = [
    [
      'a service pull policy',
      'build:\n  services: [ { name: postgres, pull_policy: always } ]\n  script: [make]\n',
      'services: pull_policy is not supported',
      2,
    ],
    ['only', 'build:\n  only: [main]\n  script: [make]\n', 'use rules:', 2],
    ['trigger', 'build:\n  trigger: other/project\n  script: [make]\n', 'downstream pipelines', 2],
    [
      'a remote include',
      'include: { remote: "https://x/y.yml" }\nbuild:\n  script: [make]\n',
      'include: remote is not supported',
      1,
    ],
    [
      'a missing local include',
      'include: ci/x.yml\nbuild:\n  script: [make]\n',
      'ci/x.yml was not supplied',
      1,
    ],
    [
      'an extends cycle',
      '.a:\n  extends: .b\n.b:\n  extends: .a\nbuild:\n  extends: .a\n  script: [make]\n',
      'extends cycle',
      6,
    ],
    [
      'an unknown stage',
      'build:\n  stage: package\n  script: [make]\n',
      'stage "package" is not in stages',
      2,
    ],
    [
      'a bad rule',
      'build:\n  rules:\n    - if: $A ==\n  script: [make]\n',
      'unexpected end of expression',
      3,
    ],
    [
      'rules when: delayed',
      'build:\n  rules:\n    - when: delayed\n  script: [make]\n',
      'when: delayed is not supported',
      3,
    ],
  ];
  it.each(cases)('%s', (_what, source, message, line) => {
    expect(errorsOfOther(source, AS_GITLAB)).toEqual(
      expect.arrayContaining([expect.objectContaining({ line, message: expect.stringContaining(message) })]),
    );
  });
});

describe('GitLab variables', () => {
  it('expand $VAR and ${VAR} in the values the file wrote, $$ being a literal $; a run-supplied value stays as it came', () => {
    const source = [
      'variables:',
      '  BASE: /opt/app',
      '  BIN: $BASE/bin',
      'job:',
      '  variables:',
      '    LABEL: "${CI_JOB_NAME}-$BIN"',
      '    PRICE: "5$$"',
      '  script:',
      '    - echo "$BIN|$LABEL|$PRICE"',
      '',
    ].join('\n');
    const node = nodeOf(compileOther(source, AS_GITLAB), 'job');
    expect(runNodeScript(node, {}, { BASE: '/opt/app', BIN: '$BASE/bin' }).stdout).toContain(
      '/opt/app/bin|job-/opt/app/bin|5$',
    );
    expect(runNodeScript(node, {}, { BASE: '/opt/app', BIN: '$(touch pwned)' }).stdout).toContain(
      '$(touch pwned)|job-$(touch pwned)|5$',
    );
  });
});

describe('predefined variables in rules', () => {
  it('combine with operators as GitLab reads them (the common default-branch, tag and merge request rules)', () => {
    const source = [
      'workflow:',
      '  rules:',
      '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"',
      '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH',
      '    - if: $CI_COMMIT_TAG',
      'test:',
      '  script: [echo test]',
      '',
    ].join('\n');
    const condition = nodeOf(compileOther(source, AS_GITLAB), 'test').if!;
    expect(evaluateCondition(condition, ctx({ branch: 'main' }))).toBe(true);
    expect(evaluateCondition(condition, ctx({ branch: 'dev' }))).toBe(false);
    expect(evaluateCondition(condition, ctx({ tag: 'v1.0.0' }))).toBe(true);
    expect(evaluateCondition(condition, ctx({ event: 'pull_request', branch: 'topic' }))).toBe(true);
    const gitlabPush = ctx({ branch: 'trunk', payload: { project: { default_branch: 'trunk' } } });
    expect(evaluateCondition(condition, gitlabPush)).toBe(true);
  });
});
