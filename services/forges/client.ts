/**
 * What ContainerOps asks of a code host (gitea, github, gitlab service): register a webhook,
 * read the pipeline files at a commit, and post a commit status. Each adapter speaks its
 * forge's REST API; none of them keeps state.
 */

export const FORGE_TYPES = ['gitea', 'github', 'gitlab'] as const;
export type ForgeType = (typeof FORGE_TYPES)[number];
export const isForgeType = (t: string): t is ForgeType => (FORGE_TYPES as readonly string[]).includes(t);

export type CommitState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatus {
  state: CommitState;
  /** containerops/<pipeline> */
  context: string;
  /** at most 140 characters (GitHub's limit); longer ones are cut */
  description: string;
  targetUrl?: string;
}

export interface ForgeClient {
  /** Registers a webhook for push, pull request and comment events; returns the forge's hook id. */
  createHook(repository: string, url: string, secret: string): Promise<string>;
  /** The file's text at `sha`; undefined when it does not exist there. */
  readFile(repository: string, path: string, sha: string): Promise<string | undefined>;
  /** Paths of the files directly in `dir` at `sha`; empty when the directory does not exist. */
  listFiles(repository: string, dir: string, sha: string): Promise<string[]>;
  setStatus(repository: string, sha: string, status: CommitStatus): Promise<void>;
}

/** A forge answered with an HTTP error (or not at all: status 0). */
export class ForgeError extends Error {
  override name = 'ForgeError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** A 5xx, 408, 429 or no answer: the forge may take the same request later. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export type Fetch = typeof fetch;

export interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** answer undefined instead of throwing on 404 */
  missingOk?: boolean;
}

/** One JSON request against a forge's API root, with its auth header; errors as ForgeError. */
export async function callForge(
  fetchImpl: Fetch,
  apiRoot: string,
  auth: Record<string, string>,
  call: Call,
): Promise<unknown> {
  const url = `${apiRoot}${call.path}`;
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: call.method,
      headers: {
        accept: 'application/json',
        ...auth,
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new ForgeError(`${call.method} ${call.path}: ${(err as Error).message}`, 0);
  }
  if (res.status === 404 && call.missingOk) return undefined;
  const text = await res.text();
  if (!res.ok) {
    throw new ForgeError(
      `${call.method} ${call.path} answered ${res.status}: ${text.slice(0, 300)}`,
      res.status,
    );
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export const shortDescription = (text: string) => (text.length > 140 ? `${text.slice(0, 137)}...` : text);

/** `owner/name` path segment, each part escaped */
export const repoPath = (repository: string) => repository.split('/').map(encodeURIComponent).join('/');
