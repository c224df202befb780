import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, type RunView } from '../../support/runs';

// What a user expects of a memoized step besides its outputs and declared artifacts: the files it
// left in the workspace are there for later steps when it is reused, and a secret it is given through
// `with:` decides its result by value (a new value runs it again), never stored in clear.

const FIRST_SECRET = 'with-secret-first-5c1a';
const SECOND_SECRET = 'with-secret-second-77e0';

/** `gen` leaves an undeclared file; `read` (not memoized) needs it; `big` changes more than the bound. */
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: memo-files
steps:
  - id: gen
    memoize: true
    with: { token: "\${{ secrets.WITH_TOKEN }}" }
    run: |
      mkdir -p build/sub
      echo "made $(date +%s%N)" > build/sub/undeclared.txt
      echo "stamp=$(cat build/sub/undeclared.txt)" >> "$CO_OUTPUTS"
  - id: read
    needs: [gen]
    run: |
      test "$(cat build/sub/undeclared.txt)" = "\${{ steps.gen.outputs.stamp }}"
      echo "seen=$(cat build/sub/undeclared.txt)" >> "$CO_OUTPUTS"
  - id: big
    needs: [read]
    memoize: true
    run: head -c 3000000 /dev/urandom > big.bin
`;

interface MemoStep {
  id: string;
  status: string;
  outputs: Record<string, string>;
  cached?: boolean;
  fingerprint?: {
    inputs: Array<{ name: string; digest: string; secret?: boolean }>;
    notMemoizable?: string;
    workspaceSnapshot?: string;
  };
}

let stack: Stack;
let project: string;

beforeAll(async () => {
  // a bound the big step passes and gen stays far below
  stack = await startStack({ config: { CO_MEMOIZE_SNAPSHOT_MAX_BYTES: String(1_000_000) } });
  project = await createProject(stack);
  const res = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
    name: 'WITH_TOKEN',
    value: FIRST_SECRET,
  });
  expect(res.status).toBe(201);
  await createPipeline(stack, project, PIPELINE);
}, 180_000);
afterAll(() => stack?.stop());

async function run(): Promise<RunView> {
  const done = await waitForRun(stack, project, (await trigger(stack, project, 'memo-files')).id);
  expect(done.steps.map((s) => [s.id, s.status, s.error])).toEqual([
    ['gen', 'succeeded', null],
    ['read', 'succeeded', null],
    ['big', 'succeeded', null],
  ]);
  return done;
}

const stepOf = (r: RunView, id: string) => r.steps.find((s) => s.id === id) as unknown as MemoStep;

async function genLog(r: RunView): Promise<string> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${r.id}/steps/gen/logs`);
  return res.text();
}

describe('memoize: the workspace a step leaves, and secrets given through with:', () => {
  let first: RunView;

  it('restores the files a reused step left undeclared, so a later step still reads them', async () => {
    first = await run();
    expect(stepOf(first, 'gen').cached).toBe(false);
    expect(stepOf(first, 'gen').fingerprint?.workspaceSnapshot).toMatch(/^sha256:[0-9a-f]{64}$/);
    const second = await run();
    expect(stepOf(second, 'gen').cached).toBe(true);
    // `read` ran in the new run and found the file gen wrote in the first one
    expect(stepOf(second, 'read').outputs.seen).toBe(stepOf(first, 'gen').outputs.stamp);
    expect(await genLog(second)).toContain('the workspace files run #1 created or changed restored');
  });

  it('does not reuse a step whose workspace changes are over the bound, and says why', async () => {
    const big = stepOf(first, 'big');
    expect(big.fingerprint?.notMemoizable).toMatch(
      /^the step created or changed \d+ bytes of workspace files, over the 1000000 a memoized result keeps$/,
    );
    const again = await run();
    expect(stepOf(again, 'big').cached).toBe(false);
  });

  it('enters a secret given through with: by a keyed digest of its value: a new value runs the step again', async () => {
    const before = stepOf(first, 'gen').fingerprint!.inputs.find((i) => i.name === 'with.token');
    expect(before).toMatchObject({
      secret: true,
      digest: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
    });

    const put = await stack.request('PUT', `/api/v1/projects/${project}/secrets/WITH_TOKEN`, {
      value: SECOND_SECRET,
    });
    expect(put.status).toBe(200);
    const changed = await run();
    const gen = stepOf(changed, 'gen');
    expect(gen.cached).toBe(false);
    const after = gen.fingerprint!.inputs.find((i) => i.name === 'with.token');
    expect(after?.digest).not.toBe(before!.digest);
    const others = (r: RunView) =>
      stepOf(r, 'gen').fingerprint!.inputs.filter((i) => i.name !== 'with.token');
    expect(others(changed)).toEqual(others(first));
    expect(stepOf(await run(), 'gen').cached).toBe(true);

    for (const r of [first, changed]) {
      const json = await (await stack.request('GET', `/api/v1/projects/${project}/runs/${r.id}`)).text();
      expect(json).not.toContain(FIRST_SECRET);
      expect(json).not.toContain(SECOND_SECRET);
    }
  });
});
