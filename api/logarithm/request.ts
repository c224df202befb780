import type { Request } from 'express';
import { invalid } from '../../lib/errors';

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
  const attemptText = single(req, 'attempt');
  let attempt: number | undefined;
  if (attemptText !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(attemptText))
      throw invalid('attempt must be a positive integer', [
        { path: 'attempt', message: 'not a positive integer' },
      ]);
    attempt = Number(attemptText);
  }
  const lastEventId = req.get('last-event-id') ?? single(req, 'lastEventId');
  if (lastEventId !== undefined && !/^\d{1,19}$/.test(lastEventId.trim()))
    throw invalid('Last-Event-ID must be a log line id', [
      { path: 'lastEventId', message: 'not a log line id' },
    ]);
  return {
    matrixKey: single(req, 'matrix') ?? '',
    attempt,
    timestamps: flag(req, 'timestamps'),
    follow: flag(req, 'follow') || (req.get('accept') ?? '').includes('text/event-stream'),
    afterId: lastEventId ? BigInt(lastEventId.trim()) : 0n,
  };
}
