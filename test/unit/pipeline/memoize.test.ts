import { errorsOf, planOf, yaml } from './support';

const doc = (...lines: string[]) =>
  yaml('apiVersion: containerops/v1', 'kind: Pipeline', 'name: demo', ...lines);

describe('memoize:', () => {
  it('applies the pipeline-wide setting to every step that does not set its own, never to approvals', () => {
    const plan = planOf(
      doc(
        'memoize: { maxAge: 7d }',
        'steps:',
        '  - { id: a, run: echo }',
        '  - { id: b, run: echo, needs: [a], memoize: false }',
        '  - { id: c, run: echo, needs: [a], memoize: true }',
        '  - { id: gate, needs: [c], approval: { approvers: [alice] } }',
      ),
    );
    const byId = Object.fromEntries(plan.nodes.map((n) => [n.id, n.memoize]));
    expect(byId).toEqual({ a: { maxAgeMs: 7 * 86_400_000 }, b: undefined, c: {}, gate: undefined });
  });

  it('rejects a maxAge that is not a duration, where it is written', () => {
    const errors = errorsOf(doc('steps:', '  - id: a', '    run: echo', '    memoize: { maxAge: soon }'));
    expect(errors).toEqual([expect.objectContaining({ path: 'steps[0].memoize.maxAge', line: 7 })]);
  });
});
