import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from '../../lib/errors';

/** RFC 9457 problem+json for every error; unknown errors are a bare 500 with no detail. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  let status = 500;
  let body: Record<string, unknown> = { type: 'about:blank', title: 'Internal Server Error', status };
  if (err instanceof HttpError) {
    status = err.status;
    body = { type: 'about:blank', title: err.title, status, detail: err.message };
    if (err.errors) body.errors = err.errors;
  } else if (isBodyParserError(err)) {
    status = err.status;
    body = {
      type: 'about:blank',
      title: status === 413 ? 'Content Too Large' : 'Bad Request',
      status,
      detail: status === 413 ? 'request body is too large' : 'request body is not valid JSON',
    };
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  if (res.headersSent) return;
  res
    .status(status)
    .type('application/problem+json')
    .json({ ...body, instance: req.originalUrl.split('?')[0] });
};

function isBodyParserError(err: unknown): err is { status: number; type: string } {
  return (
    typeof err === 'object' &&
    err !== null &&
    'type' in err &&
    'status' in err &&
    typeof (err as { status: unknown }).status === 'number' &&
    (err as { status: number }).status < 500 &&
    typeof (err as { type: unknown }).type === 'string'
  );
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'Not Found', `no route for ${req.method} ${req.path}`));
};
