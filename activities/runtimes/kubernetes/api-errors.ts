import { KubeHttpError } from './kube-http';

export interface ApiProblem {
  /** HTTP status; undefined when the API server was not reached at all. */
  code?: number;
  reason?: string;
  message: string;
}

/** Normalises client-node ApiExceptions, our stream errors and network errors. */
export function apiProblem(err: unknown): ApiProblem {
  if (err instanceof KubeHttpError) return { code: err.code, reason: err.reason, message: err.message };
  const e = err as { code?: unknown; body?: unknown; message?: string };
  if (typeof e?.code === 'number') {
    const status = parseStatus(e.body);
    return {
      code: e.code,
      reason: status?.reason,
      message: status?.message ?? e.message ?? `HTTP ${e.code}`,
    };
  }
  return { message: e?.message ?? String(err) };
}

function parseStatus(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string; reason?: string };
    } catch {
      return body ? { message: body } : undefined;
    }
  }
  return body && typeof body === 'object' ? (body as { message?: string; reason?: string }) : undefined;
}

/** 4xx other than conflicts, throttling and auth: the request itself is wrong and retrying cannot help. */
export function isPermanent(problem: ApiProblem): boolean {
  const { code } = problem;
  return code !== undefined && code >= 400 && code < 500 && ![401, 403, 408, 409, 429].includes(code);
}

export function isNotFound(err: unknown): boolean {
  return apiProblem(err).code === 404;
}
