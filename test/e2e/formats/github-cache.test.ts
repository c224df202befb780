import crypto from 'node:crypto';
import { startStack, type Stack } from '../../support/stack';
import { createProject, step, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

/** `lock` writes the lock file; `install` reports what its restored cache held, then "installs". */
const WORKFLOW = `name: Cached deps
on: workflow_dispatch
jobs:
  lock:
    runs-on: ubuntu-latest
    steps:
      - run: printf 'lock-v1' > package-lock.json
  install:
    needs: lock
    runs-on: ubuntu-latest
    outputs:
      restored: \${{ steps.probe.outputs.restored }}
    steps:
      - uses: actions/cache@v4
        with:
          key: deps-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}
          path: |
            deps
          restore-keys: |
            deps-\${{ runner.os }}-
      - id: probe
        run: |
          if [ -f deps/installed.txt ]; then echo "restored=$(cat deps/installed.txt)" >> "$GITHUB_OUTPUT"
          else echo "restored=none" >> "$GITHUB_OUTPUT"; fi
      - run: mkdir -p deps && echo "run \${{ github.run_number }}" > deps/installed.txt
`;

const hashOf = (text: string) => {
  const inner = crypto.createHash('sha256').update(text).digest();
  return crypto.createHash('sha256').update(inner).digest('hex');
};

describe('a GitHub workflow with actions/cache saved through the API', () => {
  it("restores on the second run what the first run's job saved after it succeeded", async () => {
    const saved = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines?path=${encodeURIComponent('.github/workflows/deps.yml')}`,
      { source: WORKFLOW },
    );
    expect(saved.status).toBe(201);

    const first = await waitForRun(stack, project, (await trigger(stack, project, 'cached-deps')).id);
    expect(first.status).toBe('succeeded');
    expect(step(first, 'install').outputs).toEqual({ restored: 'none' });

    const second = await waitForRun(stack, project, (await trigger(stack, project, 'cached-deps')).id);
    expect(second.status).toBe('succeeded');
    expect(step(second, 'install').outputs).toEqual({ restored: `run ${first.number}` });

    const res = await stack.request('GET', `/api/v1/projects/${project}/caches`);
    const items = ((await res.json()) as { items: { key: string }[] }).items;
    expect(items.map((c) => c.key)).toEqual([`deps-Linux-${hashOf('lock-v1')}`]);
  });
});
