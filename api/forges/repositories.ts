import crypto from 'node:crypto';
import { z } from 'zod';
import { HttpError, conflict, invalid, notFound } from '../../lib/errors';
import { ForgeError, forgeClient, isForgeType, type ForgeClient } from '../../services/forges';
import { keyringOf, open, seal } from '../../lib/secret-box';
import type { Config } from '../../lib/config';
import type { ForgeRepository, Service } from '../../generated/prisma/client';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { parseOr422 } from '../../lib/validate';
import { audit } from '../crew/audit';
import { isUniqueViolation } from '../crew/names';
import { findService } from '../scaler/services';
import { AddressRefused, guardedAddress } from '../../services/address-guard';
import { guardedFetch } from '../../services/guarded-fetch';

const connectBody = z.strictObject({
  /** a gitea, github or gitlab service of the project */
  service: z.string().min(1).max(64),
  /** owner/name; GitLab: the project's path with namespace (group/subgroup/name) */
  repository: z
    .string()
    .max(255)
    .regex(/^[\w.-]+(\/[\w.-]+)+$/, 'must be owner/name'),
});

/** Where a connected repository's forge delivers: under CO_PUBLIC_URL. */
export const forgeHookUrl = (config: Config, repo: ForgeRepository) =>
  `${config.publicUrl}/api/v1/forge-hooks/${repo.id}`;

/** The service's adapter, its token unsealed; only code host services have one. */
export function clientOf(config: Config, service: Service): ForgeClient {
  if (!isForgeType(service.type)) {
    throw invalid(`service ${service.name} is not a code host`, [
      { path: 'service', message: `is a ${service.type} service; give a gitea, github or gitlab one` },
    ]);
  }
  const credentials = service.secret
    ? (JSON.parse(open(keyringOf(config), service.secret)) as { token?: string })
    : {};
  // every call (not only the check when connecting) connects only where the address guard allows
  return forgeClient(
    service.type,
    service.url,
    credentials.token ?? '',
    guardedFetch(config.CO_SERVICES_ALLOW_PRIVATE),
  );
}

export const repositoryView = (config: Config, repo: ForgeRepository & { service: Service }) => ({
  id: repo.id,
  repository: repo.repository,
  service: repo.service.name,
  type: repo.service.type,
  hookUrl: forgeHookUrl(config, repo),
  createdAt: repo.createdAt,
});

/** The forge refused or could not be reached: 502 naming what it said (never the token). */
const forgeFailed = (err: unknown) =>
  err instanceof ForgeError
    ? new HttpError(502, 'Bad Gateway', `the code host did not register the webhook: ${err.message}`)
    : err;

/** The API server connects where a maintainer pointed the service: the service checks' guard applies. */
async function assertReachable(config: Config, service: Service): Promise<void> {
  await guardedAddress(new URL(service.url).hostname, config.CO_SERVICES_ALLOW_PRIVATE).catch(
    (err: unknown) => {
      if (!(err instanceof AddressRefused)) throw err;
      throw invalid(`service ${service.name} points where the API does not connect`, [
        { path: 'service', message: err.message },
      ]);
    },
  );
}

export function repositoryRoutes(deps: ApiDeps): RouteDef[] {
  return [...connectRoutes(deps), ...repositoryListRoutes(deps)];
}

/** Connect a repository, registering our webhook on the forge. */
function connectRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    {
      method: 'post',
      path: '/projects/:project/repositories',
      permission: { project: 'write-services' },
      summary: 'Connect a repository of a code host service: registers our webhook on the forge',
      async handler(req, res, { actor, project }) {
        const body = parseOr422(connectBody, req.body);
        const service = await findService(db, project!, body.service);
        const client = clientOf(config, service);
        await assertReachable(config, service);
        const secret = crypto.randomBytes(32).toString('hex');
        const id = crypto.randomUUID();
        const row = { id, projectId: project!.id, serviceId: service.id, repository: body.repository };
        if (
          await db.forgeRepository.findUnique({
            where: { projectId_repository: { projectId: project!.id, repository: body.repository } },
          })
        )
          throw conflict(`repository ${body.repository} is already connected to project ${project!.name}`);
        const hookId = await client
          .createHook(
            body.repository,
            forgeHookUrl(config, { ...row, secret: '', hookId: '', createdAt: new Date() }),
            secret,
          )
          .catch((err: unknown) => {
            throw forgeFailed(err);
          });
        try {
          const created = await db.forgeRepository.create({
            data: { ...row, hookId, secret: seal(keyringOf(config), secret) },
            include: { service: true },
          });
          await audit(db, {
            actor,
            projectId: project!.id,
            action: 'repository.connected',
            target: body.repository,
            details: { service: service.name, hookId },
          });
          res.status(201).json(repositoryView(config, created));
        } catch (err) {
          if (isUniqueViolation(err))
            throw conflict(`repository ${body.repository} is already connected to project ${project!.name}`);
          throw err;
        }
      },
    },
  ];
}

/** List and disconnect repositories. */
function repositoryListRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  return [
    {
      method: 'get',
      path: '/projects/:project/repositories',
      permission: { project: 'read' },
      summary: 'The repositories connected to a project',
      async handler(_req, res, { project }) {
        const rows = await db.forgeRepository.findMany({
          where: { projectId: project!.id },
          include: { service: true },
          orderBy: { repository: 'asc' },
        });
        res.json({ items: rows.map((r) => repositoryView(config, r)) });
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/repositories/:id',
      permission: { project: 'write-services' },
      summary:
        'Disconnect a repository (its deliveries then get 401; the forge keeps the hook until removed there)',
      async handler(req, res, { actor, project }) {
        const { count } = await db.forgeRepository.deleteMany({
          where: { projectId: project!.id, id: String(req.params.id) },
        });
        if (count === 0) throw notFound(`repository ${String(req.params.id)}`);
        await audit(db, {
          actor,
          projectId: project!.id,
          action: 'repository.disconnected',
          target: String(req.params.id),
        });
        res.status(204).end();
      },
    },
  ];
}
