/** The API client: the session's bearer token on every call, problem+json turned into ApiError. */

const TOKEN_KEY = 'containerops.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface ProblemError {
  path?: string;
  line?: number;
  col?: number;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: ProblemError[] = [],
  ) {
    super(message);
  }
}

/** Listeners told when the API answers 401 (the token was revoked or expired). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function apiUrl(path: string): string {
  return `/api/v1${path}`;
}

export function authHeaders(token = getToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export async function api<T>(
  path: string,
  opts: { method?: string; body?: unknown; yaml?: string; token?: string; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(opts.token) };
  let body: string | undefined;
  if (opts.yaml !== undefined) {
    headers['content-type'] = 'application/yaml';
    body = opts.yaml;
  } else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path), { method: opts.method ?? 'GET', headers, body, signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json().catch(() => undefined) : await res.text();
  if (!res.ok) {
    if (res.status === 401 && !opts.token) unauthorizedListeners.forEach((l) => l());
    const problem = (typeof data === 'object' && data) || {};
    throw new ApiError(
      res.status,
      problem.detail ?? problem.title ?? `${res.status} ${res.statusText}`,
      Array.isArray(problem.errors) ? problem.errors : [],
    );
  }
  return data as T;
}

export const enc = encodeURIComponent;
