import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, type RunView } from '../../support/runs';

const SECRET_VALUE = 'memo-secret-value-8d1f';

/** `produce` makes an output and an input artifact; `work` is memoized; `check` reads work's restored files. */
const memoPipeline = (v: { value?: string; data?: string; tag?: string } = {}) => `apiVersion: containerops/v1
kind: Pipeline
name: memo
params: [ { name: greeting, default: hello } ]
steps:
  - id: produce
    run: |
      mkdir -p in && printf '%s' "${v.data ?? 'x'}" > in/data.txt
      echo "value=${v.value ?? 'a'}" >> "$CO_OUTPUTS"
    artifacts: { out: [ { name: input, path: in } ] }
  - id: work
    needs: [produce]
    memoize: { maxAge: 1h }
    env:
      UP: "\${{ steps.produce.outputs.value }}"
      TOKEN: "\${{ secrets.MEMO_TOKEN }}"
    run: |
      # ${v.tag ?? 'v1'}
      mkdir -p out && echo "$PARAM_GREETING $(cat in/data.txt) $UP $(date +%s%N)" > out/result.txt
      echo "result=$(cat out/result.txt)" >> "$CO_OUTPUTS"
    artifacts:
      in: [ { name: input, from: produce } ]
      out: [ { name: result, path: out } ]
  - id: check
    needs: [work]
    run: test "$(cat out/result.txt)" = "\${{ steps.work.outputs.result }}"
`;

interface MemoStep {
  id: string;
  status: string;
  outputs: Record<string, string>;
  cached?: boolean;
  cachedFrom?: { runId: string; number: number };
  fingerprint?: { digest: string; inputs: Array<{ name: string; digest: string; secret?: boolean }> };
}

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  const secret = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
    name: 'MEMO_TOKEN',
    value: SECRET_VALUE,
  });
  expect(secret.status).toBe(201);
  await createPipeline(stack, project, memoPipeline());
}, 180_000);
afterAll(() => stack?.stop());

async function save(yaml: string): Promise<void> {
  const res = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/memo`, yaml);
  expect(res.status).toBeLessThan(300);
}

async function run(body: { params?: Record<string, string>; noCache?: boolean } = {}): Promise<RunView> {
  let started: RunView;
  if (body.noCache) {
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines/memo/runs`, body);
    expect(res.status).toBe(201);
    started = (await res.json()) as RunView;
  } else started = await trigger(stack, project, 'memo', body.params);
  const done = await waitForRun(stack, project, started.id);
  expect(done.status).toBe('succeeded');
  return done;
}

const work = (r: RunView) => r.steps.find((s) => s.id === 'work') as unknown as MemoStep;

/** The fingerprint inputs whose digest differs between two executions of `work`. */
function changed(a: RunView, b: RunView): string[] {
  const before = new Map(work(a).fingerprint!.inputs.map((i) => [i.name, i.digest]));
  return work(b)
    .fingerprint!.inputs.filter((i) => before.get(i.name) !== i.digest)
    .map((i) => i.name);
}

async function artifacts(r: RunView) {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${r.id}/artifacts`);
  return ((await res.json()) as { items: Array<{ name: string; digest: string }> }).items;
}

describe('memoize: on a step', () => {
  let first: RunView;
  let latest: RunView;

  it('skips the step when nothing changed, with its outputs and artifacts restored and a link to the run it came from', async () => {
    first = await run();
    expect(work(first).cached).toBe(false);
    const second = await run();
    const w = work(second);
    expect(w).toMatchObject({
      status: 'succeeded',
      cached: true,
      cachedFrom: { runId: first.id, number: first.number },
    });
    expect(w.outputs.result).toBe(work(first).outputs.result);
    const result = (await artifacts(second)).find((a) => a.name === 'result');
    expect(result?.digest).toBe((await artifacts(first)).find((a) => a.name === 'result')?.digest);
    // `check` compared the restored workspace file with the restored output
    expect(second.steps.find((s) => s.id === 'check')?.status).toBe('succeeded');
    latest = first;
  });

  it('lists the fingerprint inputs by name and digest, a secret only by a keyed digest', async () => {
    const { fingerprint } = work(first);
    const names = fingerprint!.inputs.map((i) => i.name);
    expect(names).toEqual(
      expect.arrayContaining(['script', 'env.UP', 'env.TOKEN', 'env.PARAM_GREETING', 'artifact.input']),
    );
    expect(fingerprint!.inputs.find((i) => i.name === 'env.TOKEN')).toMatchObject({
      secret: true,
      digest: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    });
    const json = await (await stack.request('GET', `/api/v1/projects/${project}/runs/${first.id}`)).text();
    expect(json).not.toContain(SECRET_VALUE);
  });

  it('runs again when a param changes', async () => {
    const next = await run({ params: { greeting: 'bye' } });
    expect(work(next).cached).toBe(false);
    expect(changed(latest, next)).toEqual(['env.PARAM_GREETING']);
  });

  it('runs again when the script changes', async () => {
    await save(memoPipeline({ tag: 'v2' }));
    latest = await run();
    expect(work(latest).cached).toBe(false);
    expect(changed(first, latest)).toEqual(['script']);
  });

  it('runs again when an input artifact changes', async () => {
    await save(memoPipeline({ tag: 'v2', data: 'y' }));
    const next = await run();
    expect(work(next).cached).toBe(false);
    expect(changed(latest, next)).toEqual(['artifact.input']);
    latest = next;
  });

  it('runs again when an upstream output it reads changes', async () => {
    await save(memoPipeline({ tag: 'v2', data: 'y', value: 'b' }));
    const next = await run();
    expect(work(next).cached).toBe(false);
    expect(changed(latest, next)).toEqual(['env.UP']);
    expect(work(await run()).cached).toBe(true);
  });

  it('runs again when the run asks for no reuse', async () => {
    const next = await run({ noCache: true });
    expect(work(next).cached).toBe(false);
  });
});
