import { deploymentInput } from '../../workflows/deploy-step';
import type { PlanNode } from '../../pipeline';
import { builtin } from '../../test/support/components';

// The platform runs kubernetes-deploy as its `deployment` workflow (test/e2e/runs/deploy.test.ts
// runs it end to end); here: the inputs component.yaml declares are the ones that workflow reads.
const node = {
  id: 'deploy',
  kind: 'uses',
  services: [],
  uses: { name: 'kubernetes-deploy', range: '1' },
} as unknown as PlanNode;

describe('kubernetes-deploy component.yaml', () => {
  it('declares exactly the inputs the deployment workflow reads, with its defaults', () => {
    const { spec } = builtin('kubernetes-deploy');
    expect(spec.inputs.map((i) => i.name).sort()).toEqual(['manifests', 'namespace', 'timeout']);
    const input = deploymentInput(node, {
      manifests: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n',
      timeout: String(spec.inputs.find((i) => i.name === 'timeout')!.default),
    });
    expect(input).toMatchObject({ namespace: 'default', rolloutTimeoutMs: 10 * 60_000 });
    expect(() => deploymentInput(node, { manifests: '' })).toThrow(/with.manifests/);
  });

  it('refuses manifests nested past 256 levels before parsing them in the workflow (issue 22)', () => {
    // parsed in workflow code: a stack overflow in the YAML parser could abort the worker process
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndata: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    for (let i = 0; i < 3; i++) {
      expect(() => deploymentInput(node, { manifests: deep })).toThrow(/nested deeper than 256 levels/);
    }
  });
});
