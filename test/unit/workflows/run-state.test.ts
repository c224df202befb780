import { compilePipelineSource } from '../../../pipeline';
import type { ExecutionPlan } from '../../../pipeline/plan';
import type { StepStatus } from '../../../contract';
import { GraphWalk, RunState } from '../../../workflows/run-state';

function planOf(steps: string, extra = ''): ExecutionPlan {
  const result = compilePipelineSource(
    `apiVersion: containerops/v1\nkind: Pipeline\nname: p\n${extra}steps:\n${steps}`,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

function stateOf(plan: ExecutionPlan, statuses: Record<string, StepStatus> = {}): RunState {
  const state = new RunState({ plan, params: { who: 'world' }, runId: 'r1', number: 1 }, {});
  for (const [id, status] of Object.entries(statuses)) state.update(id, { status });
  return state;
}

const chain = planOf(
  `  - { id: a, run: "true" }
  - { id: b, needs: [a], run: "true" }
  - { id: tolerant, run: "true", continueOnError: true }
  - { id: c, needs: [a, tolerant], run: "true" }
  - { id: gated, if: 'params.who == "nobody"', run: "true" }
  - { id: broken, needs: [a], if: 'steps.a.outputs.missing == "1"', run: "true" }
`,
  'params:\n  - { name: who, default: world }\n',
);
const node = (id: string) => [...chain.nodes, ...chain.finally].find((n) => n.id === id)!;

describe('why a ready step is skipped', () => {
  it.each<
    [string, string, Record<string, StepStatus>, { failed?: boolean; rejected?: boolean }, string | undefined]
  >([
    ['a need succeeded', 'b', { a: 'succeeded' }, {}, undefined],
    ['a need failed', 'b', { a: 'failed' }, {}, 'needs a, which failed'],
    ['a need was skipped', 'b', { a: 'skipped' }, {}, 'needs a, which was skipped'],
    ['a need timed out', 'b', { a: 'timed_out' }, {}, 'needs a, which timed_out'],
    ['a failed need that continues on error', 'c', { a: 'succeeded', tolerant: 'failed' }, {}, undefined],
    ['an earlier failure (fail-fast)', 'b', { a: 'succeeded' }, { failed: true }, 'an earlier step failed'],
    ['a rejected approval', 'b', { a: 'succeeded' }, { rejected: true }, 'an earlier step failed'],
    ['a false condition', 'gated', {}, {}, 'condition is false: params.who == "nobody"'],
  ])('%s', (_, id, statuses, flags, reason) => {
    const state = stateOf(chain, statuses);
    Object.assign(state, flags);
    expect(state.skipReason(node(id))).toBe(reason);
  });

  it('names the error of a condition that cannot be evaluated', () => {
    expect(stateOf(chain, { a: 'succeeded' }).skipReason(node('broken'))).toMatch(
      /^condition could not be evaluated: /,
    );
  });

  it('ignores fail-fast and need health in the finally phase, where only the condition counts', () => {
    const state = stateOf(chain, { a: 'failed' });
    state.failed = true;
    expect(state.skipReason(node('b'), 'failed')).toBeUndefined();
    expect(state.skipReason(node('gated'), 'failed')).toBe('condition is false: params.who == "nobody"');
  });
});

describe('fail-fast', () => {
  it.each<[string, string, StepStatus, boolean, boolean]>([
    ['a main step failing trips it', 'a', 'failed', false, true],
    ['a main step timing out trips it', 'a', 'timed_out', false, true],
    ['a main step cancelled trips it', 'a', 'cancelled', false, true],
    ['a succeeding step does not', 'a', 'succeeded', false, false],
    ['a continueOnError step does not', 'tolerant', 'failed', false, false],
    ['a finally step does not', 'a', 'failed', true, false],
  ])('%s', (_, id, final, finallyPhase, failed) => {
    const state = stateOf(chain);
    state.finish(node(id), final, finallyPhase, 1000);
    expect(state.failed).toBe(failed);
    expect(state.step(id).finishedAt).toBe(1000);
  });
});

describe('which steps are ready', () => {
  it('yields a step once its needs ended, and one skipped earlier in a pass readies a later one', () => {
    const plan = planOf(`  - { id: a, run: "true" }
  - { id: b, needs: [a], run: "true" }
  - { id: c, needs: [b], run: "true" }
  - { id: d, run: "true" }
`);
    const state = stateOf(plan);
    const walk = new GraphWalk(plan.nodes, state);
    const first: string[] = [];
    for (const n of walk.readyNodes()) {
      first.push(n.id);
      if (n.id === 'a') state.update('a', { status: 'skipped' });
      else walk.started(n.id);
    }
    // b saw a skipped in the same pass; c waits for b, which is running
    expect(first).toEqual(['a', 'b', 'd']);
    expect([...walk.readyNodes()].map((n) => n.id)).toEqual([]);
    state.update('b', { status: 'succeeded' });
    walk.ended('b');
    walk.ended('d');
    expect([...walk.readyNodes()].map((n) => n.id)).toEqual(['c']);
    expect(walk.done).toBe(true);
  });
});

describe('approvals', () => {
  const plan = planOf(`  - { id: gate, approval: { approvers: ["user:admin"] } }
  - { id: work, run: "true" }
`);

  it.each<
    [string, { decision: 'approve' | 'reject'; comment?: string } | undefined, boolean, object, boolean]
  >([
    ['approved', { decision: 'approve' }, true, { status: 'succeeded' }, false],
    [
      'rejected with a comment',
      { decision: 'reject', comment: 'no' },
      true,
      { status: 'failed', error: 'rejected by ann: no' },
      true,
    ],
    ['rejected', { decision: 'reject' }, true, { status: 'failed', error: 'rejected by ann' }, true],
    [
      'undecided at the timeout',
      undefined,
      false,
      { status: 'timed_out', error: 'no decision before the approval timeout' },
      false,
    ],
  ])('%s', (_, decision, inTime, outcome, rejected) => {
    const state = stateOf(plan, { gate: 'waiting' });
    if (decision) state.decide({ stepId: 'gate', by: 'ann', ...decision });
    expect(state.approvalOutcome('gate', inTime)).toMatchObject(outcome);
    expect(state.rejected).toBe(rejected);
  });

  it.each<[string, Record<string, StepStatus>, object, string]>([
    ['an unknown step', { gate: 'waiting' }, { stepId: 'nope' }, 'no step "nope" in this run'],
    [
      'a step that is not an approval',
      { work: 'running' },
      { stepId: 'work' },
      'step work is not an approval step',
    ],
    ['a bad decision', { gate: 'waiting' }, { decision: 'maybe' }, 'decision must be approve or reject'],
    ['an approval not yet waiting', {}, {}, 'step gate is pending, not waiting for a decision'],
  ])('refuses a decision for %s', (_, statuses, input, message) => {
    const state = stateOf(plan, statuses);
    expect(() =>
      state.validateDecision({ stepId: 'gate', decision: 'approve', by: 'ann', ...input } as never),
    ).toThrow(message);
  });

  it('refuses a second decision', () => {
    const state = stateOf(plan, { gate: 'waiting' });
    state.decide({ stepId: 'gate', decision: 'approve', by: 'ann' });
    expect(() => state.validateDecision({ stepId: 'gate', decision: 'reject', by: 'bob' })).toThrow(
      'step gate is already decided, not waiting for a decision',
    );
  });
});

describe("the run's status", () => {
  const withFinally = planOf(
    `  - { id: a, run: "true" }
  - { id: b, needs: [a], run: "true" }
finally:
  - { id: report, run: "true" }
  - { id: cleanup, run: "true", continueOnError: true }
`,
    'timeout: 1m\n',
  );

  it.each<[string, { envError?: string; timedOut?: boolean; cancelled?: boolean; failed?: boolean }, object]>(
    [
      ['every step went well', {}, { status: 'succeeded' }],
      ['a step failed', { failed: true }, { status: 'failed' }],
      ['it was cancelled', { cancelled: true }, { status: 'cancelled' }],
      [
        'it timed out',
        { timedOut: true },
        { status: 'timed_out', error: 'run exceeded its timeout of 60000 ms' },
      ],
      [
        'its env did not render',
        { envError: 'pipeline env: bad', timedOut: true },
        { status: 'failed', error: 'pipeline env: bad' },
      ],
    ],
  )('as finally sees it when %s', (_, end, expected) => {
    const state = stateOf(withFinally);
    state.failed = end.failed ?? false;
    expect(state.statusBeforeFinally({ timedOut: false, cancelled: false, ...end })).toEqual(expected);
  });

  it.each<[string, string, Record<string, StepStatus>, object, object]>([
    [
      'a finally step failing fails a succeeded run',
      '',
      { report: 'failed' },
      { status: 'succeeded' },
      { status: 'failed', error: 'a finally step failed' },
    ],
    [
      'a tolerated finally failure does not',
      '',
      { report: 'succeeded', cleanup: 'failed' },
      { status: 'succeeded' },
      { status: 'succeeded' },
    ],
    [
      'a skipped finally step does not',
      '',
      { report: 'skipped' },
      { status: 'succeeded' },
      { status: 'succeeded' },
    ],
    [
      'a failed run names its first failed step',
      'exit 1',
      { a: 'succeeded', b: 'failed' },
      { status: 'failed' },
      { status: 'failed', error: 'step b failed: exit 1' },
    ],
    [
      'a cancelled run stays cancelled',
      '',
      { report: 'failed' },
      { status: 'cancelled' },
      { status: 'cancelled' },
    ],
  ])('after finally: %s', (_, stepError, statuses, before, after) => {
    const state = stateOf(withFinally, statuses);
    if (stepError) state.update('b', { error: stepError });
    expect(state.finalStatus(before as never)).toEqual(after);
  });

  it('settles the main steps that never ended, and only those', () => {
    const state = stateOf(withFinally, { a: 'succeeded', b: 'running' });
    expect(state.settleUnfinished('timed_out').map((n) => n.id)).toEqual(['b']);
    expect(state.step('b').status).toBe('timed_out');
    expect(state.step('report').status).toBe('pending');
  });

  it('ends a cancelled step as timed out when the run timeout cancelled it', () => {
    const state = stateOf(withFinally);
    expect(state.cancelledStatus()).toEqual({ status: 'cancelled', error: 'cancelled' });
    state.runTimedOut = true;
    expect(state.cancelledStatus()).toEqual({ status: 'timed_out', error: 'the run exceeded its timeout' });
  });
});
