import { cachedGitea, freePort, startGitea, type Gitea } from '../../../scripts/gitea/server';
import { startStack, type Stack } from '../../support/stack';
import { createProject, eventually, waitForRun } from '../../support/runs';

/**
 * The code-host loop against a real Gitea (scripts/gitea/build.sh builds it once into
 * ~/.cache/containerops/gitea): connect a repository, push, pull request, /retest, statuses.
 */
const binary = cachedGitea();
const describeGitea = binary ? describe : describe.skip;
if (!binary) {
  console.warn(
    'The Gitea forge suite DID NOT RUN: no Gitea binary is cached in ~/.cache/containerops/gitea ' +
      '(bash scripts/gitea/build.sh builds it from the Go module proxy in 6-20 minutes).',
  );
}

const pipeline = (name: string, script: string) => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
on:
  push: { branches: [main, 'feature/**'] }
  pull_request: {}
steps:
  - id: check
    run: ${script}
`;

interface GiteaStatus {
  status: string;
  context: string;
  description: string;
  target_url: string;
}

let gitea: Gitea;
let stack: Stack;
let project: string;
const repo = 'co-admin/app';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Commits files through Gitea's contents API (a real commit and a real push webhook); returns the commit's sha. */
async function commit(branch: string, files: Record<string, string>, newBranch?: string): Promise<string> {
  const ops = [];
  for (const [path, content] of Object.entries(files)) {
    const existing = await gitea.api('GET', `/repos/${repo}/contents/${path}?ref=${branch}`);
    const sha = existing.ok ? ((await existing.json()) as { sha: string }).sha : undefined;
    ops.push({ operation: sha ? 'update' : 'create', path, content: b64(content), ...(sha ? { sha } : {}) });
  }
  const res = await gitea.api('POST', `/repos/${repo}/contents`, {
    branch,
    ...(newBranch ? { new_branch: newBranch } : {}),
    message: `change ${Object.keys(files).join(', ')}`,
    files: ops,
  });
  if (!res.ok) throw new Error(`gitea commit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { commit: { sha: string } }).commit.sha;
}

const statusesOf = async (sha: string): Promise<GiteaStatus[]> => {
  const res = await gitea.api('GET', `/repos/${repo}/commits/${sha}/statuses?limit=50`);
  return (await res.json()) as GiteaStatus[];
};

/** Waits for a final (not pending) status of `context` on the commit. */
const finalStatus = (sha: string, context: string) =>
  eventually(
    async () => (await statusesOf(sha)).find((s) => s.context === context && s.status !== 'pending'),
    `a final ${context} status on ${sha}`,
    90_000,
  );

const runsAt = async (sha: string) =>
  (
    await stack.db.run.findMany({
      where: { project: { name: project }, triggerInfo: { path: '$.sha', equals: sha } },
      orderBy: { createdAt: 'asc' },
    })
  ).map((r) => ({ ...r, triggerInfo: r.triggerInfo as Record<string, unknown> }));

describeGitea('the code-host loop on a real Gitea', () => {
  beforeAll(async () => {
    gitea = await startGitea(binary!);
    const port = await freePort();
    stack = await startStack({
      config: { PORT: String(port), CO_PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    project = await createProject(stack);
    const created = await gitea.api('POST', '/user/repos', {
      name: 'app',
      auto_init: true,
      default_branch: 'main',
    });
    expect(created.status).toBe(201);
    const svc = await stack.request('POST', `/api/v1/projects/${project}/services`, {
      name: 'forge',
      type: 'gitea',
      url: gitea.url,
      credentials: { token: gitea.admin.token },
    });
    expect(svc.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await gitea?.stop();
  });

  it('connects the repository: the webhook is registered on Gitea with our URL', async () => {
    const res = await stack.request('POST', `/api/v1/projects/${project}/repositories`, {
      service: 'forge',
      repository: repo,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { hookUrl: string };
    const hooks = (await (await gitea.api('GET', `/repos/${repo}/hooks`)).json()) as {
      config: { url: string };
    }[];
    expect(hooks.map((h) => h.config.url)).toEqual([body.hookUrl]);
    expect(body.hookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/forge-hooks\//);
  });

  it('a push runs the file at that commit; Gitea shows pending, then success with the run page', async () => {
    const sha = await commit('main', { '.containerops.yml': pipeline('ci', 'echo ok') });
    const status = await finalStatus(sha, 'containerops/ci');
    expect(status.status).toBe('success');
    const [run] = await runsAt(sha);
    expect(run!.triggerInfo).toMatchObject({
      repository: repo,
      ref: 'refs/heads/main',
      sha,
      file: '.containerops.yml',
    });
    expect(status.target_url).toBe(`${stack.config.publicUrl}/projects/${project}/runs/${run!.id}`);
    const states = (await statusesOf(sha))
      .filter((s) => s.context === 'containerops/ci')
      .map((s) => s.status);
    expect(states).toEqual(expect.arrayContaining(['pending', 'success']));
    expect((await waitForRun(stack, project, run!.id)).status).toBe('succeeded');
  }, 120_000);

  it('a failing push shows failure', async () => {
    const sha = await commit('main', { '.containerops.yml': pipeline('ci', 'exit 3') });
    expect((await finalStatus(sha, 'containerops/ci')).status).toBe('failure');
  }, 120_000);

  it('an invalid file gives a failure status whose description names the line', async () => {
    const sha = await commit('main', {
      '.containerops/broken.yml':
        'apiVersion: containerops/v1\nkind: Pipeline\nname: broken\nsteps:\n  - id: x\n    bogus: 1\n',
    });
    const status = await finalStatus(sha, 'containerops/.containerops/broken.yml');
    expect(status.status).toBe('failure');
    expect(status.description).toMatch(/^\.containerops\/broken\.yml:\d+/);
  }, 120_000);

  it('a pull request gets its status on the head commit; /retest from a developer reruns the failed steps', async () => {
    const head = await commit(
      'main',
      { '.containerops/broken.yml': pipeline('broken', 'exit 1') },
      'feature/pr',
    );
    // the push of the new branch runs too; the pull request's own run is on the same head commit
    const pr = await gitea.api('POST', `/repos/${repo}/pulls`, {
      head: 'feature/pr',
      base: 'main',
      title: 'change',
    });
    expect(pr.status).toBe(201);
    const number = ((await pr.json()) as { number: number }).number;
    const prRun = await eventually(
      async () =>
        (await runsAt(head)).find((r) => r.triggerInfo.event === 'pull_request' && r.status === 'failed'),
      'the pull request run to fail',
      90_000,
    );
    expect(prRun.triggerInfo).toMatchObject({ pullRequest: number, sha: head });
    expect((await finalStatus(head, 'containerops/broken')).status).toBe('failure');

    // Gitea's co-admin is our co-admin, a developer of the project
    expect(
      (await stack.request('POST', '/api/v1/users', { name: 'co-admin', email: 'co-admin@example.test' }))
        .status,
    ).toBe(201);
    const member = await stack.request('PUT', `/api/v1/projects/${project}/members/co-admin`, {
      role: 'developer',
    });
    expect(member.status).toBe(201);
    const comment = await gitea.api('POST', `/repos/${repo}/issues/${number}/comments`, { body: '/retest' });
    expect(comment.status).toBe(201);
    const rerun = await eventually(
      async () => (await runsAt(head)).find((r) => r.rerunOfId !== null),
      'a rerun started by /retest',
      90_000,
    );
    expect(rerun.trigger).toBe('rerun');
    expect(rerun.rerunFrom).toBe('failed');
  }, 240_000);
});
