import { compilePipelineSource } from '../../../pipeline';
import type { PlanNode } from '../../../pipeline/plan';
import { chainAfter, isPath } from '../../../workflows/chains';

function nodesOf(steps: string): PlanNode[] {
  const result = compilePipelineSource(
    `apiVersion: containerops/v1\nkind: Pipeline\nname: p\nparams: [{ name: x, default: "1" }]\nsteps:\n${steps}`,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan.nodes;
}

const ids = (nodes: PlanNode[]) => nodes.map((n) => n.id);
const none = () => false;

describe('isPath', () => {
  it('is a single line of steps, each needed by at most one other', () => {
    expect(isPath(nodesOf('  - { id: a, run: "true" }\n  - { id: b, needs: [a], run: "true" }\n'))).toBe(
      true,
    );
  });

  it('is not a fork, a join, two roots or a single step', () => {
    const fork =
      '  - { id: a, run: "true" }\n  - { id: b, needs: [a], run: "true" }\n  - { id: c, needs: [a], run: "true" }\n';
    const join =
      '  - { id: a, run: "true" }\n  - { id: b, run: "true" }\n  - { id: c, needs: [a, b], run: "true" }\n';
    const roots = '  - { id: a, run: "true" }\n  - { id: b, run: "true" }\n';
    expect([fork, join, roots, '  - { id: a, run: "true" }\n'].map((s) => isPath(nodesOf(s)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('chainAfter', () => {
  const path = nodesOf(`  - { id: a, run: "true" }
  - { id: b, needs: [a], run: "true", env: { X: "\${{ params.x }}" } }
  - { id: c, needs: [b], run: "true", retry: { attempts: 3 }, timeout: 5s }
  - { id: gate, needs: [c], approval: { approvers: ["user:admin"] } }
  - { id: d, needs: [gate], run: "true" }
  - { id: e, needs: [d], run: 'echo \${{ steps.d.outputs.v }}' }
  - { id: f, needs: [e], run: "true" }
  - { id: g, needs: [f], if: 'params.x == "1"', run: "true" }
  - { id: h, needs: [g], run: "true", continueOnError: true }
  - { id: i, needs: [h], matrix: { v: ["1", "2"] }, run: "true" }
  - { id: j, needs: [i], run: "true", runtime: kubernetes }
  - { id: k, needs: [j], run: "true" }
`);
  const node = (id: string) => path.find((n) => n.id === id)!;

  it('follows plain steps (own retries, timeouts, templates of params) up to one that needs the run', () => {
    expect(ids(chainAfter(node('a'), path, none))).toEqual(['b', 'c']);
  });

  it('stops before a step that reads a step’s outputs, has an `if`, tolerates failure, or fans out', () => {
    expect(ids(chainAfter(node('d'), path, none))).toEqual([]);
    expect(ids(chainAfter(node('e'), path, none))).toEqual(['f']);
    expect(ids(chainAfter(node('g'), path, none))).toEqual([]);
  });

  it('never starts at an approval, a matrix or a step that tolerates failure', () => {
    expect([node('gate'), node('h'), node('i')].map((n) => chainAfter(n, path, none).length)).toEqual([
      0, 0, 0,
    ]);
  });

  it('keeps one runtime per chain', () => {
    expect(ids(chainAfter(node('j'), path, none))).toEqual([]);
  });

  it('stops before a step a rerun reuses', () => {
    expect(ids(chainAfter(node('a'), path, (id) => id === 'c'))).toEqual(['b']);
  });
});
