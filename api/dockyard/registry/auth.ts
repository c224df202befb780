import type { Request, Response } from 'express';
import type { Db } from '../../../lib/db';
import { HttpError } from '../../../lib/errors';
import { signToken } from '../../../lib/signed-tokens';
import { actorForToken, type Actor } from '../../crew/actor';
import { bearerToken } from '../../http/bearer';
import { RegistryError } from './errors';

export const REGISTRY_SERVICE = 'containerops';
export const REGISTRY_TOKEN_TTL_S = 900;

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** The Docker token-flow challenge: clients fetch a token from the realm with Basic credentials. */
export function challenge(req: Request, scope?: string): RegistryError {
  const params = [`realm="${baseUrl(req)}/v2/token"`, `service="${REGISTRY_SERVICE}"`];
  if (scope) params.push(`scope="${scope}"`);
  return new RegistryError(401, 'UNAUTHORIZED', 'authentication required', {
    'WWW-Authenticate': `Bearer ${params.join(',')}`,
  });
}

/** The API token in `Authorization`: Basic (any user name, the token as password) or Bearer. */
function presentedToken(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,2048})$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString();
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return bearerToken(header);
}

/** The caller, or undefined when anonymous or the credentials are not valid. */
export async function registryActor(db: Db, req: Request, key: Buffer): Promise<Actor | undefined> {
  const token = presentedToken(req);
  if (!token) return undefined;
  try {
    const actor = await actorForToken(db, token, key);
    return actor.run ? undefined : actor;
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) return undefined;
    throw err;
  }
}

/** GET /v2/token: exchanges an API token (Basic) for a short-lived registry bearer token. */
export async function issueToken(db: Db, req: Request, res: Response, key: Buffer): Promise<void> {
  const actor = await registryActor(db, req, key);
  if (!actor) {
    res.setHeader('WWW-Authenticate', `Basic realm="${REGISTRY_SERVICE}"`);
    throw new RegistryError(401, 'UNAUTHORIZED', 'a valid API token is required (Basic, any user name)');
  }
  const token = signToken(key, {
    kind: 'registry',
    tokenId: actor.tokenId,
    exp: Date.now() + REGISTRY_TOKEN_TTL_S * 1000,
  });
  res.json({
    token,
    access_token: token,
    expires_in: REGISTRY_TOKEN_TTL_S,
    issued_at: new Date().toISOString(),
  });
}
