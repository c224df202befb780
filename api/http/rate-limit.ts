import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import { HttpError } from '../../lib/errors';

/** Failed authentications allowed per client IP in one window, before every request from it gets 429. */
export const AUTH_FAILURE_LIMIT = 20;
export const AUTH_FAILURE_WINDOW_MS = 10 * 60_000;

const tooManyRequests = (detail: string) => new HttpError(429, 'Too Many Requests', detail);

function clientIp(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/** The per-client key: a hash of the bearer token (raw tokens never sit in memory maps), else the IP. */
function tokenKey(req: Request): string {
  const header = req.headers.authorization;
  if (header) return `t:${crypto.createHash('sha256').update(header).digest('base64url').slice(0, 22)}`;
  return `ip:${clientIp(req)}`;
}

/** CO_RATE_LIMIT_PER_MINUTE requests per token (or per IP without one), 429 with Retry-After beyond. */
export function requestRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    keyGenerator: tokenKey,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(tooManyRequests(`more than ${perMinute} requests per minute`)),
  });
}

/**
 * Brute-force guard: counts responses that are 401 per client IP; once AUTH_FAILURE_LIMIT is reached
 * within the window, every request from that IP answers 429 (with Retry-After) until the window ends.
 * Only failures count, so busy clients with valid tokens are never slowed down.
 */
export function authFailureGuard(
  limit = AUTH_FAILURE_LIMIT,
  windowMs = AUTH_FAILURE_WINDOW_MS,
): RequestHandler {
  const store = new MemoryStore();
  store.init({ windowMs } as Options);
  return async (req, res, next) => {
    try {
      const key = clientIp(req);
      const seen = await store.get(key);
      if (seen && seen.totalHits >= limit) {
        const resetMs = (seen.resetTime?.getTime() ?? Date.now() + windowMs) - Date.now();
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil(resetMs / 1000))));
        next(tooManyRequests('too many failed authentications from this address; retry later'));
        return;
      }
      res.on('finish', () => {
        if (res.statusCode === 401) void store.increment(key);
      });
      next();
    } catch (err) {
      next(err);
    }
  };
}
