import { Router, type Request, type Response } from 'express';
import type { Config } from '../../../lib/config';
import type { Db } from '../../../lib/db';
import type { BlobStore } from '../../../lib/blobs';
import type { Logger } from '../../../lib/logger';
import { HttpError } from '../../../lib/errors';
import { LOCKED_OUT_DETAIL, type AuthFailureLockout } from '../../http/rate-limit';
import { authorizeRepo, type RegistryAction } from './access';
import { listCatalog } from './catalog';
import type { Actor } from '../../crew/actor';
import { challenge, issueToken, registryActor } from './auth';
import { deleteBlob, getBlob } from './blobs';
import type { RepoContext } from './context';
import { RegistryError, sendRegistryError } from './errors';
import { deleteManifest, getManifest, putManifest } from './manifests';
import { parseRegistryPath, type RegistryRoute } from './names';
import { listReferrers } from './referrers';
import { listTags } from './tags';
import { cancelUpload, getUpload, patchUpload, postUpload, putUpload } from './uploads';

export interface RegistryDeps {
  config: Config;
  db: Db;
  store: BlobStore;
  logger: Logger;
  signingKey: Buffer;
  /** the API's login-failure lockout: a guessing address is refused here as on /api/v1 */
  lockout: AuthFailureLockout;
}

const unsupported = () => new RegistryError(405, 'UNSUPPORTED', 'method not supported here');

function actionOf(route: RegistryRoute, method: string): RegistryAction {
  if (method === 'GET' || method === 'HEAD') return 'pull';
  if (method === 'DELETE' && (route.kind === 'blob' || route.kind === 'manifest')) return 'delete';
  return 'push';
}

/** The OCI Distribution 1.1 registry at /v2 (mounted before the JSON body parsers: bodies are streamed). */
export function registryRouter(deps: RegistryDeps): Router {
  const router = Router();
  router.use(async (req: Request, res: Response) => {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    try {
      await guardLogins(deps.lockout, req, res);
      await dispatch(deps, req, res);
    } catch (err) {
      req.resume();
      if (err instanceof RegistryError) return sendRegistryError(res, err);
      if (err instanceof HttpError) {
        return sendRegistryError(res, new RegistryError(err.status, 'DENIED', err.message));
      }
      deps.logger.error({ err }, 'registry request failed');
      if (!res.headersSent)
        res.status(500).json({ errors: [{ code: 'UNKNOWN', message: 'internal error' }] });
      else res.destroy();
    }
  });
  return router;
}

/**
 * Refuses a locked-out address with the registry's TOOMANYREQUESTS error, and counts a 401 to
 * presented credentials (Basic or Bearer) as a failed login. An anonymous 401 is the token flow's
 * first step, which every client takes: it does not count.
 */
async function guardLogins(lockout: AuthFailureLockout, req: Request, res: Response): Promise<void> {
  const wait = await lockout.lockedFor(req);
  if (wait !== undefined) {
    throw new RegistryError(429, 'TOOMANYREQUESTS', LOCKED_OUT_DETAIL, { 'Retry-After': String(wait) });
  }
  if (req.headers.authorization === undefined) return;
  res.on('finish', () => {
    if (res.statusCode === 401) lockout.recordFailure(req);
  });
}

/** The routes that name no repository: the version check and the catalog. */
async function registryWide(
  deps: RegistryDeps,
  kind: 'ping' | 'catalog',
  actor: Actor | undefined,
  req: Request,
  res: Response,
): Promise<void> {
  if (kind === 'ping') {
    if (!actor) throw challenge(req);
    res.status(200).json({});
    return;
  }
  if (req.method !== 'GET') throw unsupported();
  if (!actor) throw challenge(req, 'registry:catalog:*');
  await listCatalog(deps.db, actor, req, res);
}

async function dispatch(deps: RegistryDeps, req: Request, res: Response): Promise<void> {
  const route = parseRegistryPath(req.path);
  if (!route) throw new RegistryError(404, 'NAME_INVALID', `no registry route ${req.path}`);
  if (route.kind === 'token') {
    if (req.method !== 'GET') throw unsupported();
    return issueToken(deps.db, req, res, deps.signingKey);
  }
  const actor = await registryActor(deps.db, req, deps.signingKey);
  if (route.kind === 'ping' || route.kind === 'catalog')
    return registryWide(deps, route.kind, actor, req, res);
  const project = await authorizeRepo(deps.db, req, actor, route.name, actionOf(route, req.method));
  const ctx: RepoContext = {
    db: deps.db,
    store: deps.store,
    config: deps.config,
    req,
    res,
    project,
    name: route.name,
  };
  const canReadRepo = async (repo: string) => {
    try {
      await authorizeRepo(deps.db, req, actor, repo, 'pull');
      return true;
    } catch {
      return false;
    }
  };
  const m = req.method;
  switch (route.kind) {
    case 'blob':
      if (m === 'GET' || m === 'HEAD') return getBlob(ctx, route.digest);
      if (m === 'DELETE') return deleteBlob(ctx, route.digest);
      throw unsupported();
    case 'upload-start':
      if (m === 'POST') return postUpload(ctx, canReadRepo);
      throw unsupported();
    case 'upload':
      if (m === 'PATCH') return patchUpload(ctx, route.uploadId);
      if (m === 'PUT') return putUpload(ctx, route.uploadId);
      if (m === 'GET') return getUpload(ctx, route.uploadId);
      if (m === 'DELETE') return cancelUpload(ctx, route.uploadId);
      throw unsupported();
    case 'manifest':
      if (m === 'GET' || m === 'HEAD') return getManifest(ctx, route.reference);
      if (m === 'PUT') return putManifest(ctx, route.reference);
      if (m === 'DELETE') return deleteManifest(ctx, route.reference);
      throw unsupported();
    case 'tags':
      if (m === 'GET') return listTags(ctx);
      throw unsupported();
    case 'referrers':
      if (m === 'GET') return listReferrers(ctx, route.digest);
      throw unsupported();
  }
}
