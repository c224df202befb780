import crypto from 'node:crypto';
import { keyringOf, open } from '../../../lib/secret-box';
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
async function commit(
  branch: string,
  files: Record<string, string>,
  newBranch?: string,
  where: { repo: string; as?: string } = { repo },
): Promise<string> {
  const ops = [];
  for (const [path, content] of Object.entries(files)) {
    const existing = await gitea.api('GET', `/repos/${where.repo}/contents/${path}?ref=${branch}`);
    const sha = existing.ok ? ((await existing.json()) as { sha: string }).sha : undefined;
    ops.push({ operation: sha ? 'update' : 'create', path, content: b64(content), ...(sha ? { sha } : {}) });
  }
  const res = await gitea.api(
    'POST',
    `/repos/${where.repo}/contents`,
    {
      branch,
      ...(newBranch ? { new_branch: newBranch } : {}),
      message: `change ${Object.keys(files).join(', ')}`,
      files: ops,
    },
    where.as,
  );
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
      // Gitea is on loopback, where services may only point when allowed
      config: {
        PORT: String(port),
        CO_PUBLIC_URL: `http://127.0.0.1:${port}`,
        CO_SERVICES_ALLOW_PRIVATE: 'true',
      },
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
    // a rerun through the API reports on the same commit, linking to the new run
    const [failed] = await runsAt(sha);
    const rerun = await stack.request('POST', `/api/v1/projects/${project}/runs/${failed!.id}/rerun`, {});
    expect(rerun.status).toBe(201);
    const next = (await rerun.json()) as { id: string };
    const url = `${stack.config.publicUrl}/projects/${project}/runs/${next.id}`;
    const again = await eventually(
      async () => (await statusesOf(sha)).find((s) => s.target_url === url && s.status !== 'pending'),
      'the rerun status',
      90_000,
    );
    expect(again.status).toBe('failure');
  }, 180_000);

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

  it('a /retest from someone who is not a developer of the project reruns nothing, and says why', async () => {
    await stack.request('PUT', `/api/v1/projects/${project}/members/co-admin`, { role: 'viewer' });
    // the delivery Gitea would send for the comment, signed with the repository's secret
    const row = await stack.db.forgeRepository.findFirstOrThrow({ where: { repository: repo } });
    const body = JSON.stringify({
      action: 'created',
      is_pull: true,
      issue: { number: 1 },
      comment: { body: '/retest', user: { login: 'co-admin' } },
      repository: { full_name: repo },
    });
    const sig = crypto
      .createHmac('sha256', open(keyringOf(stack.config), row.secret))
      .update(body)
      .digest('hex');
    const runsBefore = await stack.db.run.count();
    const res = await stack.request('POST', `/api/v1/forge-hooks/${row.id}`, body, {
      token: null,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issue_comment',
        'x-hub-signature-256': `sha256=${sig}`,
      },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      triggered: false,
      reason: 'co-admin is not a member of the project who may run pipelines',
    });
    expect(await stack.db.run.count()).toBe(runsBefore);
  });

  it('a pull request from a fork runs on its head commit without the project secrets', async () => {
    const secret = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
      name: 'DEPLOY_TOKEN',
      value: 'do-not-leak-0123456789',
    });
    expect(secret.status).toBe(201);
    const user = await gitea.api('POST', '/admin/users', {
      username: 'outsider',
      email: 'outsider@example.test',
      password: 'outsider-password-123',
      must_change_password: false,
    });
    expect(user.status).toBe(201);
    const fork = await gitea.api('POST', `/repos/${repo}/forks`, {}, 'outsider');
    expect(fork.status).toBe(202);
    const head = await commit(
      'main',
      {
        '.containerops.yml': `apiVersion: containerops/v1
kind: Pipeline
name: ci
on:
  pull_request: {}
steps:
  - id: check
    env: { TOKEN: "\${{ secrets.DEPLOY_TOKEN }}" }
    run: echo "$TOKEN"
`,
      },
      'from-fork',
      { repo: 'outsider/app', as: 'outsider' },
    );
    const pr = await gitea.api(
      'POST',
      `/repos/${repo}/pulls`,
      { head: 'outsider:from-fork', base: 'main', title: 'from a fork' },
      'outsider',
    );
    expect(pr.status).toBe(201);
    const run = await eventually(
      async () => (await runsAt(head)).find((r) => r.triggerInfo.fork === true && r.finishedAt !== null),
      'the fork pull request run to finish',
      90_000,
    );
    expect(run.status).toBe('failed');
    const view = await waitForRun(stack, project, run.id);
    expect(view.steps[0]!.error).toMatch(/pull request from a fork: it gets no project secrets/);
    expect((await finalStatus(head, 'containerops/ci')).status).toBe('failure');
  }, 180_000);
});
