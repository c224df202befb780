import http from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from '../../lib/errors';
import { isTransientDatabaseError } from './transient';

/** RFC 9457 problem+json for every error; unknown errors are a bare 500 with no detail. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let body: Record<string, unknown> = { type: 'about:blank', title: 'Internal Server Error', status };
  if (err instanceof HttpError) {
    status = err.status;
    body = { type: 'about:blank', title: err.title, status, detail: err.message };
    if (err.errors) body.errors = err.errors;
  } else if (isClientError(err)) {
    status = err.status;
    body = {
      type: 'about:blank',
      title: http.STATUS_CODES[status] ?? 'Bad Request',
      status,
      detail: clientErrorDetail(err),
    };
  } else if (isTransientDatabaseError(err)) {
    // a busy or unreachable database is not the caller's fault, nor a bug: say so, and when to retry
    req.log?.warn({ err }, 'database busy or unreachable');
    status = 503;
    body = {
      type: 'about:blank',
      title: 'Service Unavailable',
      status,
      detail: 'the database is busy or unreachable; retry shortly',
    };
    res.setHeader('Retry-After', '2');
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  if (res.headersSent) return;
  res
    .status(status)
    .type('application/problem+json')
    .json({ ...body, instance: req.originalUrl.split('?')[0] });
};

/** A 4xx raised by Express, its router or body-parser (http-errors style: a numeric `status`). */
function isClientError(err: unknown): err is { status: number; type?: unknown; name?: unknown } {
  if (typeof err !== 'object' || err === null || !('status' in err)) return false;
  const status = (err as { status: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Our own words: the libraries' messages may quote attacker-chosen input or internals. */
function clientErrorDetail(err: { status: number; type?: unknown; name?: unknown }): string {
  if (err.status === 413) return 'request body is too large';
  if (err.status === 415) return 'unsupported content encoding or charset';
  if (err.name === 'URIError') return 'the path holds invalid percent-encoding';
  if (err.type === 'entity.parse.failed') return 'request body is not valid JSON';
  if (err.type === undefined) return 'request body could not be decoded (Content-Encoding)';
  return 'request body could not be read';
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'Not Found', `no route for ${req.method} ${req.path}`));
};
