import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import { HttpError } from '../../lib/errors';
import { bearerToken } from './bearer';

/** Failed authentications allowed per client IP in one window, before every request from it gets 429. */
export const AUTH_FAILURE_LIMIT = 20;
export const AUTH_FAILURE_WINDOW_MS = 10 * 60_000;

const tooManyRequests = (detail: string) => new HttpError(429, 'Too Many Requests', detail);

function clientIp(req: Request): string {
  return ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/**
 * The per-client key: a hash of the bearer token as authentication reads it (so `bearer  T` and
 * `Bearer T` are one client; raw tokens never sit in memory maps), else the IP.
 */
function tokenKey(req: Request): string {
  const token = bearerToken(req.headers.authorization);
  if (token) return `t:${crypto.createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
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

/** Failed logins per client IP, shared by the API and the registry: one guessing budget per address. */
export interface AuthFailureLockout {
  /** Seconds until the address may try again, or undefined when it is not locked out. */
  lockedFor(req: Request): Promise<number | undefined>;
  recordFailure(req: Request): void;
}

export function authFailureLockout(
  limit = AUTH_FAILURE_LIMIT,
  windowMs = AUTH_FAILURE_WINDOW_MS,
): AuthFailureLockout {
  const store = new MemoryStore();
  store.init({ windowMs } as Options);
  return {
    async lockedFor(req) {
      const seen = await store.get(clientIp(req));
      if (!seen || seen.totalHits < limit) return undefined;
      const resetMs = (seen.resetTime?.getTime() ?? Date.now() + windowMs) - Date.now();
      return Math.max(1, Math.ceil(resetMs / 1000));
    },
    recordFailure(req) {
      void store.increment(clientIp(req));
    },
  };
}

export const LOCKED_OUT_DETAIL = 'too many failed authentications from this address; retry later';

/**
 * Brute-force guard of /api/v1: counts responses that are 401 per client IP; once the lockout's
 * limit is reached within the window, every request from that IP answers 429 (with Retry-After)
 * until the window ends. Only failures count, so busy clients with valid tokens are never slowed.
 */
export function authFailureGuard(lockout = authFailureLockout()): RequestHandler {
  return async (req, res, next) => {
    try {
      const wait = await lockout.lockedFor(req);
      if (wait !== undefined) {
        res.setHeader('Retry-After', String(wait));
        next(tooManyRequests(LOCKED_OUT_DETAIL));
        return;
      }
      res.on('finish', () => {
        if (res.statusCode === 401) lockout.recordFailure(req);
      });
      next();
    } catch (err) {
      next(err);
    }
  };
}
