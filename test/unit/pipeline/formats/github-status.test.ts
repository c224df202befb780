import { evaluateCondition, type ExpressionContext } from '../../../../pipeline';
import { compileOther, nodeOf } from './run-script';

const AS_WORKFLOW = { fileName: '.github/workflows/ci.yml' };

/**
 * lint fails; test needs lint (so it is skipped); docs is independent and succeeds; the jobs
 * with status functions name different needs. Checkout in test makes a second plan step.
 */
const WORKFLOW = [
  'on: push',
  'jobs:',
  '  lint: { runs-on: x, steps: [ { run: exit 1 } ] }',
  '  test: { runs-on: x, needs: lint, steps: [ { uses: actions/checkout@v4 }, { run: "true" } ] }',
  '  docs: { runs-on: x, steps: [ { run: "true" } ] }',
  '  flaky: { runs-on: x, continue-on-error: true, steps: [ { run: exit 2 } ] }',
  '  after-test: { runs-on: x, needs: test, if: failure(), steps: [ { run: echo ancestor failed } ] }',
  '  after-docs: { runs-on: x, needs: docs, if: failure(), steps: [ { run: echo never } ] }',
  '  docs-ok: { runs-on: x, needs: docs, if: "always() && success()", steps: [ { run: echo docs ok } ] }',
  '  test-ok: { runs-on: x, needs: test, if: "success() || cancelled()", steps: [ { run: echo no } ] }',
  '  flaky-failed: { runs-on: x, needs: flaky, if: failure(), steps: [ { run: echo no } ] }',
  '  flaky-ok: { runs-on: x, needs: flaky, if: "!failure() && !cancelled()", steps: [ { run: echo yes } ] }',
  '  no-needs: { runs-on: x, if: failure(), steps: [ { run: echo no } ] }',
  '',
].join('\n');

function context(runStatus: string): ExpressionContext {
  const steps: ExpressionContext['steps'] = {
    lint: { status: 'failed', outputs: {} },
    'test-checkout': { status: 'skipped', outputs: {} },
    test: { status: 'skipped', outputs: {} },
    docs: { status: 'succeeded', outputs: {} },
    flaky: { status: 'failed', outputs: {} },
  };
  return { params: {}, env: {}, run: { id: 'r', number: 1, status: runStatus }, steps };
}

describe("GitHub status functions in a job's if: look at the jobs it needs, not at the run", () => {
  const plan = compileOther(WORKFLOW, AS_WORKFLOW);
  const holds = (job: string, runStatus = 'failed') => {
    const node = nodeOf(plan, job);
    return node.if === undefined ? true : evaluateCondition(node.if, context(runStatus));
  };

  it('failure() is true when an ancestor job failed, through needs that were skipped', () => {
    expect(holds('after-test')).toBe(true);
  });

  it('failure() is false when every needed job succeeded, even though another job of the run failed', () => {
    expect(holds('after-docs')).toBe(false);
    expect(holds('no-needs')).toBe(false);
  });

  it('success() is true when every needed job succeeded although the run failed, false when one was skipped', () => {
    expect(holds('docs-ok')).toBe(true);
    expect(holds('test-ok')).toBe(false);
    expect(holds('docs-ok', 'cancelled')).toBe(false);
  });

  it('a continue-on-error job that failed counts as a success for the jobs that need it', () => {
    expect(holds('flaky-failed')).toBe(false);
    expect(holds('flaky-ok')).toBe(true);
  });

  it('a failed checkout of an ancestor job counts as that job failing', () => {
    const ctx = context('failed');
    ctx.steps.lint!.status = 'succeeded';
    ctx.steps['test-checkout']!.status = 'failed';
    expect(evaluateCondition(nodeOf(plan, 'after-test').if!, ctx)).toBe(true);
  });
});
