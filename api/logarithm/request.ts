import type { Request } from 'express';
import { invalid } from '../../lib/errors';
import { BIGINT_MAX, integerParam, plainBigInt, plainInt } from '../http/integer-params';

/** What a log request asks for, from its query string and headers. */
export interface LogRequest {
  matrixKey: string;
  /** one attempt only; all attempts when absent */
  attempt?: number;
  timestamps: boolean;
  /** Server-Sent Events instead of text */
  follow: boolean;
  /** resume after this LogLine id (Last-Event-ID) */
  afterId: bigint;
}

const TRUE = new Set(['1', 'true', 'yes', '']);

function single(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`query parameter ${name} must be given once`);
  return value;
}

function flag(req: Request, name: string): boolean {
  const value = single(req, name);
  return value !== undefined && TRUE.has(value.toLowerCase());
}

export function parseLogRequest(req: Request): LogRequest {
  const attempt = integerParam('attempt', single(req, 'attempt'), plainInt(1));
  const header = req.get('last-event-id');
  const afterId =
    header !== undefined
      ? integerParam('Last-Event-ID', header.trim(), plainBigInt(0n, BIGINT_MAX), 'header')
      : integerParam('lastEventId', single(req, 'lastEventId'), plainBigInt(0n, BIGINT_MAX));
  return {
    matrixKey: single(req, 'matrix') ?? '',
    attempt,
    timestamps: flag(req, 'timestamps'),
    follow: flag(req, 'follow') || (req.get('accept') ?? '').includes('text/event-stream'),
    afterId: afterId ?? 0n,
  };
}
