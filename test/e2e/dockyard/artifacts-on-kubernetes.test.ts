import crypto from 'node:crypto';
import { SIGNED_TOKEN_PREFIX } from '../../../lib/signed-tokens';
import { FakeKube, runProcesses } from '../../support/fake-kube';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { startStack, type Stack } from '../../support/stack';

// Artifacts between steps that run as pods. The fake API server's kubelet runs every container of a
// pod as a host process (test/support/fake-kube/process-kubelet.ts): the init container fetches
// artifacts.in with `node bin/co-artifacts.js pull`, the uploader runs `push` once the step's wrapped
// command has recorded its exit code, both against the stack's real API with the run token they
// read from the attempt's Secret. Each pod has its own emptyDir workspace, so what the later step
// sees came through dockyard.

let fake: FakeKube;
let stack: Stack;
let project: string;
const podSpecs: string[] = [];

beforeAll(async () => {
  fake = await new FakeKube().start();
  fake.podBehavior = async (pod) => {
    podSpecs.push(JSON.stringify(pod.pod));
    await runProcesses(pod);
  };
  stack = await startStack({ kubeConfig: fake.kubeConfig(), config: { CO_K8S_NAMESPACE: 'default' } });
  project = await createProject(stack);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

async function stepLog(runId: string, stepId: string): Promise<string> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}/steps/${stepId}/logs`);
  return res.text();
}

describe('dockyard: artifacts on the kubernetes runtime', () => {
  it('passes a directory from one pod to the next through dockyard, never with the token in a pod spec', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: pod-artifacts
steps:
  - id: build
    runtime: kubernetes
    image: busybox:1.36
    run: |
      mkdir -p dist/assets
      echo "hello from build" > dist/hello.txt
      head -c 100000 /dev/urandom > dist/assets/blob.bin
      sha256sum dist/assets/blob.bin | cut -d' ' -f1 > dist/blob.sum
    artifacts:
      out: [ { name: dist, path: dist } ]
  - id: test
    needs: [build]
    runtime: kubernetes
    image: busybox:1.36
    run: |
      test "$(cat dist/hello.txt)" = "hello from build"
      test "$(sha256sum dist/assets/blob.bin | cut -d' ' -f1)" = "$(cat dist/blob.sum)"
      echo "seen=yes" >> "$CO_OUTPUTS"
    artifacts:
      in: [ { name: dist, from: build } ]
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-artifacts')).id);
    expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
      ['build', 'succeeded', null],
      ['test', 'succeeded', null],
    ]);
    expect(step(run, 'test').outputs).toEqual({ seen: 'yes' });
    expect(await stepLog(run.id, 'build')).toMatch(/artifact dist \(dist\) stored: \d+ bytes, sha256:/);
    expect(await stepLog(run.id, 'test')).toContain('artifact dist (from build) unpacked into the workspace');

    const list = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/artifacts`);
    const { items } = (await list.json()) as { items: Array<{ name: string; step: string; digest: string }> };
    expect(items).toEqual([expect.objectContaining({ name: 'dist', step: 'build' })]);
    const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/artifacts/dist`);
    expect(`sha256:${sha256(Buffer.from(await res.arrayBuffer()))}`).toBe(items[0]!.digest);

    expect(podSpecs.length).toBeGreaterThanOrEqual(2);
    for (const spec of podSpecs) expect(spec).not.toContain(SIGNED_TOKEN_PREFIX);
  }, 120_000);

  it('gives a pod step a large output in full: its init container fetches the value the step reads from a file', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: pod-large-output
steps:
  - id: produce
    run: |
      head -c 300000 /dev/urandom | base64 -w0 > big.txt
      { echo "big<<EOF_BIG"; cat big.txt; echo; echo "EOF_BIG"; } >> "$CO_OUTPUTS"
      echo "sum=$(sha256sum big.txt | cut -d' ' -f1)" >> "$CO_OUTPUTS"
      rm big.txt
  - id: consume
    needs: [produce]
    runtime: kubernetes
    image: busybox:1.36
    run: |
      echo "sum=$(printf '%s' "\${{ steps.produce.outputs.big }}" | sha256sum | cut -d' ' -f1)" >> "$CO_OUTPUTS"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-large-output')).id);
    expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
      ['produce', 'succeeded', null],
      ['consume', 'succeeded', null],
    ]);
    const produced = step(run, 'produce').outputs as unknown as Record<string, unknown>;
    expect((produced.big as { ref: string }).ref).toMatch(/^dockyard-ref:/);
    expect(step(run, 'consume').outputs.sum).toBe(produced.sum);
    // the step reads the file in its own workspace, never a path on the worker's disk
    const consumer = podSpecs
      .map((p) => JSON.parse(p))
      .find((p) => p.metadata.labels['containerops.dev/run'] === run.id);
    // (CO_STEP_EXIT_FILE is the uploader's handoff: every pod step the worker launches has one)
    const fileEnv = consumer.spec.containers[0].env.filter(
      (e: { name: string }) => e.name.endsWith('_FILE') && e.name !== 'CO_STEP_EXIT_FILE',
    );
    expect(fileEnv).toEqual([
      { name: expect.any(String), value: expect.stringMatching(/^\/workspace\/\.co\/refs\/[0-9a-f]{64}$/) },
    ]);
    expect(await stepLog(run.id, 'consume')).toMatch(
      /large output fetched into \S+\/\.co\/refs\/[0-9a-f]{64}/,
    );
  }, 120_000);

  it("stores a pod step's 5 MB output with its uploader: the termination message carries only the reference", async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: pod-output-beyond-4k
steps:
  - id: produce
    runtime: kubernetes
    image: busybox:1.36
    run: |
      head -c 3900000 /dev/urandom | base64 -w0 > big.txt
      { echo "big<<EOF_BIG"; cat big.txt; echo; echo "EOF_BIG"; } >> "$CO_OUTPUTS"
      echo "sum=$(sha256sum big.txt | cut -d' ' -f1)" >> "$CO_OUTPUTS"
      echo "small=kept inline" >> "$CO_OUTPUTS"
  - id: consume
    needs: [produce]
    runtime: kubernetes
    image: busybox:1.36
    run: |
      echo "sum=$(printf '%s' "\${{ steps.produce.outputs.big }}" | sha256sum | cut -d' ' -f1)" >> "$CO_OUTPUTS"
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-output-beyond-4k')).id);
    expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
      ['produce', 'succeeded', null],
      ['consume', 'succeeded', null],
    ]);
    const produced = step(run, 'produce').outputs as unknown as Record<string, unknown>;
    expect((produced.big as { ref: string }).ref).toMatch(/^dockyard-ref:.*\?size=5200000&/);
    expect(produced.small).toBe('kept inline');
    expect(step(run, 'consume').outputs.sum).toBe(produced.sum);
    expect(await stepLog(run.id, 'produce')).toContain(
      "1 output value(s) too large for the pod's message stored in dockyard",
    );
    const stored = await stack.request(
      'GET',
      `/api/v1/projects/${project}/runs/${run.id}/outputs/${encodeURIComponent('produce.big')}`,
    );
    const body = Buffer.from(await stored.arrayBuffer());
    expect(body.length).toBe(5_200_000);
    expect(sha256(body)).toBe(produced.sum);
  }, 180_000);

  it('fails a pod step whose artifact is a symlink out of the workspace, as invalid and not retried', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: pod-symlink-escape
steps:
  - id: a
    runtime: kubernetes
    image: busybox:1.36
    retry: { attempts: 3, backoff: 1s }
    run: |
      mkdir -p out
      ln -sf /etc/passwd out/passwd
    artifacts:
      out: [ { name: out, path: out } ]
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-symlink-escape')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'a').error).toMatch(/^dockyard: out\/passwd is a symlink out of the workspace/);
    expect(step(run, 'a').attempts).toBe(1);
  }, 120_000);

  it('stores nothing for a pod step that failed, and fails the step that needed its artifact', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: pod-missing-input
steps:
  - id: first
    runtime: kubernetes
    image: busybox:1.36
    continueOnError: true
    run: |
      mkdir dist
      exit 1
    artifacts:
      out: [ { name: dist, path: dist } ]
  - id: second
    needs: [first]
    runtime: kubernetes
    image: busybox:1.36
    run: "true"
    artifacts:
      in: [ { name: dist, from: first } ]
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'pod-missing-input')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'first').status).toBe('failed');
    expect(step(run, 'second').error).toBe('dockyard: artifact dist from step first was never stored');
  }, 120_000);
});
