import type { ServiceConfig, ServiceCredentials, ServiceType } from '../../../contract/service-types';
import { secretMasker } from '../../../lib/secret-mask';
import { AddressRefused } from '../../../services/address-guard';
import { guardedFetch, type GuardedRequest, type GuardedResponse } from './guarded-http';
import { smtpEhlo } from './smtp';

export interface CheckResult {
  ok: boolean;
  /** ok | unauthorized | failed (the service answered, but not as expected) | unreachable | refused (the address guard) */
  status: 'ok' | 'unauthorized' | 'failed' | 'unreachable' | 'refused';
  latencyMs: number;
  detail: string;
}

export interface CheckTarget {
  type: ServiceType;
  url: string;
  credentials: ServiceCredentials;
  config: ServiceConfig;
}

const TIMEOUT_MS = 10_000;

type Outcome = Omit<CheckResult, 'latencyMs'>;
type Fetch = (path: string, init?: Partial<GuardedRequest>) => Promise<GuardedResponse>;

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const bearer = (token: string) => `Bearer ${token}`;

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

function byStatus(res: GuardedResponse, what: string): Outcome {
  if (res.status >= 200 && res.status < 400)
    return { ok: true, status: 'ok', detail: `${what}: HTTP ${res.status}` };
  if (res.status === 401 || res.status === 403)
    return {
      ok: false,
      status: 'unauthorized',
      detail: `${what}: HTTP ${res.status}; the credentials were refused`,
    };
  return { ok: false, status: 'failed', detail: `${what}: HTTP ${res.status}` };
}

function json(res: GuardedResponse): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(res.body);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** One probe per service type: does the service answer, and does it accept the credentials? */
const PROBES: Record<ServiceType, (t: CheckTarget, get: Fetch) => Promise<Outcome>> = {
  async 'generic-http'(t, get) {
    const { token, username, password } = t.credentials;
    const auth = token ? bearer(token) : username !== undefined ? basic(username, password ?? '') : undefined;
    const res = await get(
      join(t.url, t.config.healthPath ?? ''),
      auth ? { headers: { authorization: auth } } : {},
    );
    return byStatus(res, `GET ${t.config.healthPath ?? '/'}`);
  },
  async github(t, get) {
    const res = await get(join(t.url, '/user'), {
      headers: { authorization: bearer(t.credentials.token!), accept: 'application/vnd.github+json' },
    });
    const out = byStatus(res, 'GET /user');
    return out.ok ? { ...out, detail: `authenticated as ${String(json(res).login ?? '?')}` } : out;
  },
  async gitlab(t, get) {
    const res = await get(join(t.url, '/api/v4/user'), {
      headers: { 'private-token': t.credentials.token! },
    });
    const out = byStatus(res, 'GET /api/v4/user');
    return out.ok ? { ...out, detail: `authenticated as ${String(json(res).username ?? '?')}` } : out;
  },
  async gitea(t, get) {
    const res = await get(join(t.url, '/api/v1/user'), {
      headers: { authorization: `token ${t.credentials.token!}` },
    });
    const out = byStatus(res, 'GET /api/v1/user');
    return out.ok ? { ...out, detail: `authenticated as ${String(json(res).login ?? '?')}` } : out;
  },
  async slack(t, get) {
    const res = await get(join(t.url, '/auth.test'), {
      method: 'POST',
      headers: { authorization: bearer(t.credentials.token!) },
    });
    if (res.status !== 200) return byStatus(res, 'POST /auth.test');
    const body = json(res);
    return body.ok === true
      ? { ok: true, status: 'ok', detail: `authenticated to team ${String(body.team ?? '?')}` }
      : { ok: false, status: 'unauthorized', detail: `slack says: ${String(body.error ?? 'not ok')}` };
  },
  async sonarqube(t, get) {
    const res = await get(join(t.url, '/api/authentication/validate'), {
      headers: { authorization: basic(t.credentials.token!, '') },
    });
    if (res.status !== 200) return byStatus(res, 'GET /api/authentication/validate');
    return json(res).valid === true
      ? { ok: true, status: 'ok', detail: 'the token is valid' }
      : { ok: false, status: 'unauthorized', detail: 'sonarqube does not accept the token' };
  },
  async 'oci-registry'(t, get) {
    const { token, username, password } = t.credentials;
    const auth = token ? bearer(token) : username !== undefined ? basic(username, password ?? '') : undefined;
    const res = await get(join(t.url, '/v2/'), auth ? { headers: { authorization: auth } } : {});
    const challenge = String(res.headers['www-authenticate'] ?? '');
    // the Docker token flow: trade the credentials for a bearer token at the realm, then retry
    const realm = /^Bearer\s+.*realm="([^"]+)"/i.exec(challenge)?.[1];
    if (res.status === 401 && realm && username !== undefined) {
      const service = /service="([^"]+)"/i.exec(challenge)?.[1];
      const tokenUrl = new URL(realm, t.url);
      if (service) tokenUrl.searchParams.set('service', service);
      const issued = await get(tokenUrl.toString(), {
        headers: { authorization: basic(username, password ?? '') },
      });
      if (issued.status !== 200) return byStatus(issued, 'token endpoint');
      const body = json(issued);
      const granted = String(body.token ?? body.access_token ?? '');
      const again = await get(join(t.url, '/v2/'), { headers: { authorization: bearer(granted) } });
      return byStatus(again, 'GET /v2/ with a registry token');
    }
    return byStatus(res, 'GET /v2/');
  },
  async 'kubernetes-cluster'(t, get) {
    const res = await get(join(t.url, '/version'), {
      headers: t.credentials.token ? { authorization: bearer(t.credentials.token) } : {},
      ca: t.config.certificateAuthority,
      cert: t.credentials.clientCertificate,
      key: t.credentials.clientKey,
      insecure: t.config.insecureSkipTlsVerify,
    });
    const out = byStatus(res, 'GET /version');
    return out.ok ? { ...out, detail: `Kubernetes ${String(json(res).gitVersion ?? '?')}` } : out;
  },
  async smtp(t) {
    throw new Error(`smtp is probed by EHLO, not HTTP (${t.url})`);
  },
};

/**
 * Probes a service; never throws: every failure is a result with a reason. The answer never
 * holds a credential: a service (or an error) that echoes one back shows `***`.
 */
export async function checkService(target: CheckTarget, allowPrivate: boolean): Promise<CheckResult> {
  const mask = secretMasker(Object.values(target.credentials).filter((v) => typeof v === 'string'));
  const result = await probe(target, allowPrivate);
  return { ...result, detail: mask(result.detail) };
}

async function probe(target: CheckTarget, allowPrivate: boolean): Promise<CheckResult> {
  const started = process.hrtime.bigint();
  const latency = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const get: Fetch = (url, init) => guardedFetch(url, { timeoutMs: TIMEOUT_MS, allowPrivate, ...init });
  try {
    let outcome: Outcome;
    if (target.type === 'smtp') {
      const reply = await smtpEhlo(target.url, { timeoutMs: TIMEOUT_MS, allowPrivate });
      outcome =
        reply.code === 250
          ? {
              ok: true,
              status: 'ok',
              detail: `EHLO accepted; extensions: ${reply.capabilities.join(', ') || 'none'}`,
            }
          : { ok: false, status: 'failed', detail: `the server answered ${reply.code}: ${reply.greeting}` };
    } else outcome = await PROBES[target.type](target, get);
    return { ...outcome, latencyMs: latency() };
  } catch (err) {
    if (err instanceof AddressRefused)
      return { ok: false, status: 'refused', latencyMs: latency(), detail: err.message };
    const e = err as NodeJS.ErrnoException;
    return {
      ok: false,
      status: 'unreachable',
      latencyMs: latency(),
      detail: e.code ? `${e.code}: ${e.message}` : e.message,
    };
  }
}
