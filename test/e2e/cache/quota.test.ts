import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

/** Each cache holds 2,000 random bytes (about 2.2 KB packed): two fit in the quota, three do not. */
const QUOTA = 5000;

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack({ config: { CO_CACHE_QUOTA_BYTES: String(QUOTA) } });
  project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    `apiVersion: containerops/v1
kind: Pipeline
name: fill
params: [ { name: key, default: a } ]
steps:
  - id: fill
    run: |
      if [ -d deps ]; then echo "hit=yes" >> "$CO_OUTPUTS"; else echo "hit=no" >> "$CO_OUTPUTS"; fi
      mkdir -p deps && head -c 2000 /dev/urandom > deps/blob
    cache: { key: "fill-\${{ params.key }}", paths: [deps] }
`,
  );
}, 180_000);
afterAll(() => stack?.stop());

async function fill(key: string): Promise<string> {
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'fill', { key })).id);
  expect(run.status).toBe('succeeded');
  return step(run, 'fill').outputs!.hit!;
}

it('evicts the least recently used caches past the project quota', async () => {
  expect(await fill('a')).toBe('no');
  expect(await fill('b')).toBe('no');
  expect(await fill('a')).toBe('yes'); // a is now used more recently than b
  expect(await fill('c')).toBe('no');
  const res = await stack.request('GET', `/api/v1/projects/${project}/caches`);
  const list = (await res.json()) as { items: Array<{ key: string }>; totalSize: number; quota: number };
  expect(list.items.map((c) => c.key).sort()).toEqual(['fill-a', 'fill-c']);
  expect(list.totalSize).toBeLessThanOrEqual(QUOTA);
  expect(list.quota).toBe(QUOTA);
  expect(await fill('b')).toBe('no');
});
