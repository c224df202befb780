import { evaluateExpression } from '../../../pipeline';
import { cronProblem } from '../../../pipeline/triggers';
import { errorsOf, HEADER, planOf, yaml } from './support';

const STEP = '  - { id: build, run: "echo ${{ trigger.sha }}" }';

describe('on: and concurrency:', () => {
  it('compiles webhook filters, schedules, upstream pipelines and a concurrency group into the plan', () => {
    const plan = planOf(
      yaml(
        HEADER + STEP,
        'params:',
        '  - { name: environment, default: dev }',
        'on:',
        "  push: { branches: [main, 'release/**'], tags: ['v*'] }",
        '  pull_request: { branches: [main], types: [opened, synchronize] }',
        "  schedule: [ { cron: '0 3 * * *', timezone: Europe/Paris, params: { environment: nightly } } ]",
        '  pipeline: [ { name: build } ]',
        "concurrency: { group: 'deploy-${{ params.environment }}', cancelInProgress: true }",
      ),
    );
    expect(plan.triggers).toEqual({
      push: { branches: ['main', 'release/**'], tags: ['v*'] },
      pull_request: { branches: ['main'], types: ['opened', 'synchronize'] },
      schedule: [
        { cron: '0 3 * * *', timezone: 'Europe/Paris', params: { environment: 'nightly' }, overlap: 'skip' },
      ],
      pipeline: [{ name: 'build', status: ['succeeded'], line: 12 }],
    });
    expect(plan.concurrency).toEqual({ group: 'deploy-${{ params.environment }}', cancelInProgress: true });
  });

  it('locates every mistake in on: and concurrency: by line and column', () => {
    const errors = errorsOf(
      yaml(
        HEADER + STEP,
        'on:',
        '  push: { branch: [main] }',
        "  schedule: [ { cron: '61 * * * *', timezone: Mars/Olympus, params: { nope: 1 } } ]",
        '  pipeline: [ { name: demo, status: [done] } ]',
        "concurrency: { group: '${{ steps.build.outputs.x }}', cancel: true }",
      ),
    );
    expect(errors.map((e) => [e.path, e.line, e.message])).toEqual(
      expect.arrayContaining([
        ['on.push.branch', 7, 'unknown key "branch"'],
        ['on.pipeline[0].status[0]', 9, expect.stringContaining('succeeded')],
        ['concurrency.cancel', 10, 'unknown key "cancel"'],
      ]),
    );
  });

  it('checks cron, time zone, schedule params, self-triggers and the group expression', () => {
    const errors = errorsOf(
      yaml(
        HEADER + STEP,
        'on:',
        "  schedule: [ { cron: '61 * * * *', timezone: Mars/Olympus, params: { nope: x } } ]",
        '  pipeline: [ { name: demo } ]',
        "concurrency: { group: 'g-${{ steps.build.outputs.x }}-${{ trigger.nope }}' }",
      ),
    );
    expect(errors.map((e) => [e.path, e.line, e.message])).toEqual([
      ['on.schedule[0].cron', 7, expect.stringContaining('minute field "61"')],
      ['on.schedule[0].timezone', 7, expect.stringContaining('unknown time zone "Mars/Olympus"')],
      ['on.schedule[0].params.nope', 7, 'unknown param "nope"'],
      ['on.pipeline[0].name', 8, 'a pipeline cannot trigger itself'],
      ['concurrency.group', 9, 'pipeline-level values cannot reference steps.build'],
      ['concurrency.group', 9, expect.stringContaining('trigger has no field "nope"')],
    ]);
    expect(errors.find((e) => e.message.includes('trigger has no field'))?.col).toBe(67);
  });

  it('knows the fields of trigger and trigger.run at compile time', () => {
    const errors = errorsOf(
      yaml(HEADER + '  - { id: a, run: "echo ${{ trigger.commit }} ${{ trigger.run.output }}" }'),
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('trigger has no field "commit"'),
      expect.stringContaining('trigger.run has no field "output"'),
    ]);
    planOf(
      yaml(
        HEADER +
          '  - { id: a, run: "echo ${{ trigger.payload.head_commit.id }} ${{ trigger.run.outputs }}" }',
      ),
    );
  });

  it('evaluates trigger fields, the payload and the upstream run', () => {
    const ctx = {
      params: {},
      env: {},
      run: { id: 'r', number: 1 },
      steps: {},
      trigger: {
        event: 'push',
        sha: 'abc',
        payload: { commits: [{ id: 'c1' }], size: 2 },
        run: {
          project: 'p',
          pipeline: 'build',
          id: 'u',
          number: 7,
          status: 'succeeded',
          outputs: { compile: { version: '1.2.3' } },
        },
      },
    };
    expect(evaluateExpression('trigger.sha + "/" + trigger.payload.commits[0].id', ctx)).toBe('abc/c1');
    expect(evaluateExpression('trigger.payload.size == 2', ctx)).toBe(true);
    expect(evaluateExpression('trigger.run.outputs.compile.version', ctx)).toBe('1.2.3');
    expect(evaluateExpression('trigger.branch', { ...ctx, trigger: undefined })).toBe('');
  });

  it('accepts five-field crons and macros and rejects the rest', () => {
    for (const ok of ['* * * * *', '*/5 0-6 1,15 JAN-MAR MON-FRI', '@daily', '0 3 * * 7']) {
      expect(cronProblem(ok)).toBeUndefined();
    }
    expect(cronProblem('* * * *')).toContain('5 fields');
    expect(cronProblem('5-1 * * * *')).toContain('backwards');
    expect(cronProblem('*/0 * * * *')).toContain('step');
  });
});
