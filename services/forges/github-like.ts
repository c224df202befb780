import {
  callForge,
  repoPath,
  shortDescription,
  type Call,
  type CommitStatus,
  type Fetch,
  type ForgeClient,
} from './client';

/**
 * GitHub and Gitea: Gitea's API follows GitHub's for hooks, contents and statuses; they differ
 * in the API root, the auth header, the hook's `type` and the event names a hook subscribes to.
 */
interface Dialect {
  apiRoot: string;
  auth: Record<string, string>;
  hook(url: string, secret: string): Record<string, unknown>;
}

const b64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

function githubLike(d: Dialect, fetchImpl: Fetch): ForgeClient {
  const call = (c: Call) => callForge(fetchImpl, d.apiRoot, d.auth, c);
  const contents = (repository: string, path: string, sha: string) =>
    call({
      method: 'GET',
      path: `/repos/${repoPath(repository)}/contents/${path.split('/').map(encodeURIComponent).join('/')}?ref=${encodeURIComponent(sha)}`,
      missingOk: true,
    });
  return {
    async createHook(repository, url, secret) {
      const hook = (await call({
        method: 'POST',
        path: `/repos/${repoPath(repository)}/hooks`,
        body: d.hook(url, secret),
      })) as { id?: unknown };
      return String(hook.id);
    },
    async readFile(repository, path, sha) {
      const file = (await contents(repository, path, sha)) as { type?: string; content?: string } | undefined;
      if (!file || Array.isArray(file) || file.type !== 'file' || typeof file.content !== 'string')
        return undefined;
      return b64(file.content);
    },
    async listFiles(repository, dir, sha) {
      const list = await contents(repository, dir, sha);
      if (!Array.isArray(list)) return [];
      return (list as { type?: string; path?: string }[])
        .filter((e) => e.type === 'file' && typeof e.path === 'string')
        .map((e) => e.path!);
    },
    async setStatus(repository, sha, s: CommitStatus) {
      await call({
        method: 'POST',
        path: `/repos/${repoPath(repository)}/statuses/${encodeURIComponent(sha)}`,
        body: {
          state: s.state,
          context: s.context,
          description: shortDescription(s.description),
          ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
        },
      });
    },
  };
}

const trim = (url: string) => url.replace(/\/+$/, '');

export function giteaClient(baseUrl: string, token: string, fetchImpl: Fetch = fetch): ForgeClient {
  return githubLike(
    {
      apiRoot: `${trim(baseUrl)}/api/v1`,
      auth: { authorization: `token ${token}` },
      hook: (url, secret) => ({
        type: 'gitea',
        active: true,
        // "pull_request" subscribes every pull request event, its comments included
        events: ['push', 'pull_request', 'issue_comment'],
        config: { url, content_type: 'json', secret },
      }),
    },
    fetchImpl,
  );
}

export function githubClient(baseUrl: string, token: string, fetchImpl: Fetch = fetch): ForgeClient {
  return githubLike(
    {
      apiRoot: trim(baseUrl),
      auth: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
      },
      hook: (url, secret) => ({
        name: 'web',
        active: true,
        events: ['push', 'pull_request', 'issue_comment'],
        config: { url, content_type: 'json', secret, insecure_ssl: '0' },
      }),
    },
    fetchImpl,
  );
}
