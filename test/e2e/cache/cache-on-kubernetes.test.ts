import crypto from 'node:crypto';
import { SIGNED_TOKEN_PREFIX } from '../../../lib/signed-tokens';
import { FakeKube, runProcesses } from '../../support/fake-kube';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

// `cache:` on the kubernetes runtime. The fake API server's kubelet runs every container of a pod as
// a host process (test/support/fake-kube/process-kubelet.ts), each pod with its own emptyDir
// workspace: the init container computes the key over that workspace and restores the cache with
// `node bin/co-artifacts.js pull`, the uploader saves it with `push`, both against the stack's real
// API and dockyard. What the second run finds came through dockyard, never the worker's disk.

let fake: FakeKube;
let stack: Stack;
let project: string;
const podSpecs: string[] = [];

/** `setup` writes the lock file as an artifact; `install` (a pod) reports what its restored cache held. */
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: pod-cache
params: [ { name: lock, default: none } ]
steps:
  - id: setup
    runtime: kubernetes
    image: busybox:1.36
    env: { LOCK: "\${{ params.lock }}" }
    run: mkdir -p app && printf '%s' "$LOCK" > app/package-lock.json
    artifacts:
      out: [ { name: app, path: app } ]
  - id: install
    needs: [setup]
    runtime: kubernetes
    image: busybox:1.36
    run: |
      if [ -f deps/installed.txt ]; then echo "restored=$(cat deps/installed.txt)" >> "$CO_OUTPUTS"
      else echo "restored=none" >> "$CO_OUTPUTS"; fi
      mkdir -p deps && cp app/package-lock.json deps/installed.txt
    artifacts:
      in: [ { name: app, from: setup } ]
    cache:
      key: deps-\${{ hashFiles('**/package-lock.json') }}
      restore-keys: [deps-]
      paths: [deps]
`;

beforeAll(async () => {
  fake = await new FakeKube().start();
  fake.podBehavior = async (pod) => {
    podSpecs.push(JSON.stringify(pod.pod));
    await runProcesses(pod);
  };
  stack = await startStack({ kubeConfig: fake.kubeConfig(), config: { CO_K8S_NAMESPACE: 'default' } });
  project = await createProject(stack);
  await createPipeline(stack, project, PIPELINE);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

async function stepLog(runId: string, stepId: string): Promise<string> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs`);
  return res.text();
}

async function install(lock: string): Promise<{ restored: string; log: string; runId: string }> {
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-cache', { lock })).id);
  expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
    ['setup', 'succeeded', null],
    ['install', 'succeeded', null],
  ]);
  return {
    restored: step(run, 'install').outputs!.restored!,
    log: await stepLog(run.id, 'install'),
    runId: run.id,
  };
}

const hashOf = (lock: string) => {
  const inner = crypto.createHash('sha256').update(lock).digest();
  return crypto.createHash('sha256').update(inner).digest('hex');
};

describe('cache: on the kubernetes runtime', () => {
  it('is restored by the pod on the second run, keyed by hashFiles over the pod workspace, and falls back through restore-keys', async () => {
    const first = await install('v1');
    expect(first.restored).toBe('none');
    expect(first.log).toContain(`no cache for key deps-${hashOf('v1')}`);
    expect(first.log).toMatch(new RegExp(`saved key deps-${hashOf('v1')} \\(\\d+ bytes\\)`));

    const second = await install('v1');
    expect(second.restored).toBe('v1');
    expect(second.log).toContain(`restored key deps-${hashOf('v1')}`);
    expect(second.log).not.toContain('saved key');

    // a new lock file misses the key: the restore key brings the newest deps- cache, then v2 is saved
    const third = await install('v2');
    expect(third.restored).toBe('v1');
    expect(third.log).toContain(`restored from restore key deps-${hashOf('v1')}`);
    expect(third.log).toContain(`saved key deps-${hashOf('v2')}`);

    const res = await stack.request('GET', `/api/v1/projects/${project}/caches`);
    const { items } = (await res.json()) as { items: Array<{ scope: string; key: string }> };
    expect(items.map((c) => `${c.scope} ${c.key}`).sort()).toEqual(
      [`main deps-${hashOf('v1')}`, `main deps-${hashOf('v2')}`].sort(),
    );

    // the step container never sees the cache state, and no spec holds the run token
    const install3 = podSpecs
      .map((p) => JSON.parse(p))
      .find(
        (p) =>
          p.metadata.labels['containerops.dev/run'] === third.runId &&
          p.metadata.labels['containerops.dev/step'] === 'install',
      );
    const stepMounts = install3.spec.containers[0].volumeMounts.map((m: { name: string }) => m.name);
    expect(stepMounts).not.toContain('co-cache');
    for (const spec of podSpecs) expect(spec).not.toContain(SIGNED_TOKEN_PREFIX);
  }, 240_000);
});
