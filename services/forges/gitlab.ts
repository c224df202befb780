import {
  callForge,
  shortDescription,
  type Call,
  type CommitState,
  type Fetch,
  type ForgeClient,
} from './client';

/** GitLab names its states differently and has no `error`: a run that could not finish is `canceled`. */
const GITLAB_STATE: Record<CommitState, string> = {
  pending: 'pending',
  success: 'success',
  failure: 'failed',
  error: 'canceled',
};

/** GitLab's REST API v4: a project is addressed by its URL-encoded path with namespace. */
export function gitlabClient(baseUrl: string, token: string, fetchImpl: Fetch = fetch): ForgeClient {
  const apiRoot = `${baseUrl.replace(/\/+$/, '')}/api/v4`;
  const call = (c: Call) => callForge(fetchImpl, apiRoot, { 'private-token': token }, c);
  const project = (repository: string) => `/projects/${encodeURIComponent(repository)}`;
  return {
    async createHook(repository, url, secret) {
      const hook = (await call({
        method: 'POST',
        path: `${project(repository)}/hooks`,
        body: {
          url,
          token: secret,
          push_events: true,
          merge_requests_events: true,
          note_events: true,
          enable_ssl_verification: true,
        },
      })) as { id?: unknown };
      return String(hook.id);
    },
    async readFile(repository, path, sha) {
      const file = (await call({
        method: 'GET',
        path: `${project(repository)}/repository/files/${encodeURIComponent(path)}?ref=${encodeURIComponent(sha)}`,
        missingOk: true,
      })) as { content?: string } | undefined;
      return typeof file?.content === 'string'
        ? Buffer.from(file.content, 'base64').toString('utf8')
        : undefined;
    },
    async listFiles(repository, dir, sha) {
      const list = await call({
        method: 'GET',
        path: `${project(repository)}/repository/tree?path=${encodeURIComponent(dir)}&ref=${encodeURIComponent(sha)}&per_page=100`,
        missingOk: true,
      });
      if (!Array.isArray(list)) return [];
      return (list as { type?: string; path?: string }[])
        .filter((e) => e.type === 'blob' && typeof e.path === 'string')
        .map((e) => e.path!);
    },
    async setStatus(repository, sha, s) {
      await call({
        method: 'POST',
        path: `${project(repository)}/statuses/${encodeURIComponent(sha)}`,
        body: {
          state: GITLAB_STATE[s.state],
          name: s.context,
          description: shortDescription(s.description),
          ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
        },
      });
    },
  };
}
