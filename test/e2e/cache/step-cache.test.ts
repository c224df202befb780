import crypto from 'node:crypto';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

const SECRET = 'hook-secret-0123456789abcdef';

/** `setup` writes a lock file from `lock`; `install` reports what its restored cache held, then "installs". */
const pipeline = (name: string, lock: string, on = '') => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
params: [ { name: lock, default: none } ]
${on}
steps:
  - id: setup
    env: { LOCK: "${lock}" }
    run: mkdir -p app && printf '%s' "$LOCK" > app/package-lock.json
  - id: install
    needs: [setup]
    run: |
      if [ -f deps/installed.txt ]; then echo "restored=$(cat deps/installed.txt)" >> "$CO_OUTPUTS"
      else echo "restored=none" >> "$CO_OUTPUTS"; fi
      mkdir -p deps && cp app/package-lock.json deps/installed.txt
    cache:
      key: deps-\${{ hashFiles('**/package-lock.json') }}
      restore-keys: [deps-]
      paths: [deps]
`;

interface CacheView {
  id: string;
  scope: string;
  key: string;
  size: number;
  digest: string;
}

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  await createPipeline(stack, project, pipeline('deps', '${{ params.lock }}'));
}, 180_000);
afterAll(() => stack?.stop());

async function install(lock: string): Promise<string> {
  const run = await waitForRun(stack, project, (await trigger(stack, project, 'deps', { lock })).id);
  expect(run.status).toBe('succeeded');
  return step(run, 'install').outputs!.restored!;
}

async function caches(): Promise<CacheView[]> {
  const res = await stack.request('GET', `/api/v1/projects/${project}/caches`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: CacheView[] }).items;
}

const hashOf = (lock: string) => {
  const inner = crypto.createHash('sha256').update(lock).digest();
  return crypto.createHash('sha256').update(inner).digest('hex');
};

describe('cache: on a step', () => {
  it('restores on the second run, falls back through restore-keys, and lists what it saved', async () => {
    expect(await install('v1')).toBe('none');
    expect(await install('v1')).toBe('v1');
    // a new lock file misses the key; the restore key brings the newest deps- cache of the branch
    expect(await install('v2')).toBe('v1');
    expect(await install('v2')).toBe('v2');

    const items = await caches();
    expect(items.map((c) => `${c.scope} ${c.key}`).sort()).toEqual(
      [`main deps-${hashOf('v1')}`, `main deps-${hashOf('v2')}`].sort(),
    );
  });

  it('lets a pull request from a fork read the default branch cache but never write one', async () => {
    await createPipeline(
      stack,
      project,
      pipeline('fork-pr', 'from-fork', 'on:\n  pull_request: { branches: [main] }'),
    );
    const put = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/fork-pr/hook`, {
      provider: 'generic',
      secret: SECRET,
    });
    expect(put.status).toBe(200);
    const before = await caches();
    // the fork names its head branch main, hoping to write main's scope
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      sha: 'f'.repeat(40),
      baseBranch: 'main',
      fork: true,
      action: 'opened',
    });
    const signature = `sha256=${crypto.createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const res = await stack.request('POST', `/api/v1/hooks/${project}/fork-pr`, body, {
      token: null,
      headers: {
        'content-type': 'application/json',
        'x-containerops-event': 'pull_request',
        'x-containerops-signature': signature,
      },
    });
    const hook = (await res.json()) as { triggered: boolean; run: { id: string } };
    expect(hook.triggered).toBe(true);
    const run = await waitForRun(stack, project, hook.run.id);
    expect(run.status).toBe('succeeded');
    expect(['v1', 'v2']).toContain(step(run, 'install').outputs!.restored);

    const log = await (
      await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/install/logs`)
    ).text();
    expect(log).toContain(
      'not saved: a run of a pull request from a fork reads caches but never writes them',
    );
    // read (lastUsedAt moves), never written
    const saved = (list: CacheView[]) => list.map((c) => `${c.scope} ${c.key} ${c.digest}`).sort();
    expect(saved(await caches())).toEqual(saved(before));
  });

  it('deletes a cache through the API; the next run saves it anew', async () => {
    const [entry] = (await caches()).filter((c) => c.key === `deps-${hashOf('v2')}`);
    const del = await stack.request('DELETE', `/api/v1/projects/${project}/caches/${entry!.id}`);
    expect(del.status).toBe(204);
    const again = await stack.request('DELETE', `/api/v1/projects/${project}/caches/${entry!.id}`);
    expect(again.status).toBe(404);
    expect(await install('v2')).toBe('v1');
    expect((await caches()).some((c) => c.key === entry!.key)).toBe(true);
  });

  it('answers 422 to a bad cursor and to a step token without a key', async () => {
    const bad = await stack.request('GET', `/api/v1/projects/${project}/caches?cursor=-3`);
    expect(bad.status).toBe(422);
    const [entry] = await caches();
    const run = await stack.db.cacheEntry.findUniqueOrThrow({ where: { id: entry!.id } });
    const noKey = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.runId}/cache`);
    expect(noKey.status).toBe(422);
  });
});
