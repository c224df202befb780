import type { Fetch, ForgeClient, ForgeType } from './client';
import { giteaClient, githubClient } from './github-like';
import { gitlabClient } from './gitlab';

export * from './client';

/** The adapter for a code host service of `type` at `baseUrl`. */
export function forgeClient(
  type: ForgeType,
  baseUrl: string,
  token: string,
  fetchImpl: Fetch = fetch,
): ForgeClient {
  if (type === 'gitea') return giteaClient(baseUrl, token, fetchImpl);
  if (type === 'github') return githubClient(baseUrl, token, fetchImpl);
  return gitlabClient(baseUrl, token, fetchImpl);
}
