import crypto from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { conflict, invalid, notFound, type FieldError } from '../../lib/errors';
import { keyringOf, open, seal } from '../../lib/secret-box';
import {
  SERVICE_TYPES,
  SERVICE_TYPE_NAMES,
  type ServiceConfig,
  type ServiceCredentials,
  type ServiceType,
} from '../../contract/service-types';
import type { Project, Service } from '../../generated/prisma/client';
import type { Actor } from '../crew/actor';
import type { Role } from '../crew/roles';
import { audit } from '../crew/audit';
import { isUniqueViolation, resourceName } from '../crew/names';
import { checkService, type CheckResult } from './checks/check';
import { credentialBindingErrors } from './credential-binding';

export const createServiceBody = z.strictObject({
  name: resourceName,
  type: z.enum(SERVICE_TYPE_NAMES),
  url: z.string().optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export const updateServiceBody = createServiceBody.omit({ name: true, type: true }).partial();

/** The type's own schemas over url, credentials and config: 422 with a path per problem. */
function validateForType(
  type: ServiceType,
  input: { url?: string; credentials?: unknown; config?: unknown },
): { url: string; credentials: ServiceCredentials; config: ServiceConfig } {
  const spec = SERVICE_TYPES[type];
  const errors: FieldError[] = [];
  const parse = <T>(field: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const i of r.error.issues)
      errors.push({ path: [field, ...i.path.map(String)].join('.'), message: i.message });
    return undefined;
  };
  const url = parse('url', spec.url, input.url ?? spec.defaultUrl);
  const credentials = parse(
    'credentials',
    spec.credentials as z.ZodType<ServiceCredentials>,
    input.credentials ?? {},
  );
  const config = parse('config', spec.config as z.ZodType<ServiceConfig>, input.config ?? {});
  if (errors.length) throw invalid(`the ${type} service is invalid`, errors);
  return { url: url!, credentials: credentials!, config: config! };
}

/** Viewers see names and types; members who use services see where they point; nobody sees credentials. */
export function serviceView(row: Service, role: Role | undefined) {
  if (role === 'viewer') return { name: row.name, type: row.type };
  return {
    name: row.name,
    type: row.type,
    url: row.url,
    config: row.config,
    credentialsSet: row.secret !== null,
    lastCheck: row.lastCheckAt ? { at: row.lastCheckAt, ok: row.lastCheckOk } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function sealCredentials(config: Config, credentials: ServiceCredentials): string | null {
  return Object.keys(credentials).length ? seal(keyringOf(config), JSON.stringify(credentials)) : null;
}

export async function createService(
  db: Db,
  config: Config,
  actor: Actor,
  project: Project,
  input: z.infer<typeof createServiceBody>,
): Promise<Service> {
  const valid = validateForType(input.type, input);
  try {
    const row = await db.service.create({
      data: {
        id: crypto.randomUUID(),
        projectId: project.id,
        name: input.name,
        type: input.type,
        url: valid.url,
        config: valid.config as object,
        secret: sealCredentials(config, valid.credentials),
      },
    });
    await audit(db, {
      actor,
      projectId: project.id,
      action: 'service.created',
      target: input.name,
      details: { type: input.type, url: valid.url, credentials: Object.keys(valid.credentials) },
    });
    return row;
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict(`service ${input.name} already exists in project ${project.name}`);
    throw err;
  }
}

export async function findService(db: Db, project: Project, name: string): Promise<Service> {
  const row = await db.service.findUnique({ where: { projectId_name: { projectId: project.id, name } } });
  if (!row) throw notFound(`service ${name}`);
  return row;
}

function openCredentials(config: Config, row: Service): ServiceCredentials {
  return row.secret ? (JSON.parse(open(keyringOf(config), row.secret)) as ServiceCredentials) : {};
}

/** Replaces url, config and credentials where given; credentials are replaced whole, never merged into view. */
export async function updateService(
  db: Db,
  config: Config,
  actor: Actor,
  project: Project,
  name: string,
  input: z.infer<typeof updateServiceBody>,
): Promise<Service> {
  const row = await findService(db, project, name);
  const type = row.type as ServiceType;
  if (row.secret !== null && input.credentials === undefined) {
    const stored = { url: row.url, config: (row.config ?? {}) as Record<string, unknown> };
    const moved = credentialBindingErrors(type, stored, input);
    if (moved.length)
      throw invalid(`the credentials of service ${name} are bound to where they are sent`, moved);
  }
  const valid = validateForType(type, {
    url: input.url ?? row.url,
    credentials: input.credentials ?? openCredentials(config, row),
    config: input.config ?? row.config,
  });
  const updated = await db.service.update({
    where: { id: row.id },
    data: {
      url: valid.url,
      config: valid.config as object,
      ...(input.credentials ? { secret: sealCredentials(config, valid.credentials) } : {}),
    },
  });
  await audit(db, {
    actor,
    projectId: project.id,
    action: 'service.updated',
    target: name,
    details: { changed: Object.keys(input) },
  });
  return updated;
}

export async function deleteService(db: Db, actor: Actor, project: Project, name: string): Promise<void> {
  const { count } = await db.service.deleteMany({ where: { projectId: project.id, name } });
  if (count === 0) throw notFound(`service ${name}`);
  await audit(db, { actor, projectId: project.id, action: 'service.deleted', target: name });
}

export function listServices(db: Db, project: Project, page: { limit: number; after?: string }) {
  return db.service.findMany({
    where: { projectId: project.id, ...(page.after ? { name: { gt: page.after } } : {}) },
    orderBy: { name: 'asc' },
    take: page.limit + 1,
  });
}

export async function runServiceCheck(
  db: Db,
  config: Config,
  actor: Actor,
  project: Project,
  name: string,
): Promise<CheckResult> {
  const row = await findService(db, project, name);
  const result = await checkService(
    {
      type: row.type as ServiceType,
      url: row.url,
      credentials: openCredentials(config, row),
      config: row.config as ServiceConfig,
    },
    config.CO_SERVICES_ALLOW_PRIVATE,
  );
  await db.service.update({
    where: { id: row.id },
    data: { lastCheckAt: new Date(), lastCheckOk: result.ok },
  });
  await audit(db, {
    actor,
    projectId: project.id,
    action: 'service.checked',
    target: name,
    details: { ok: result.ok, status: result.status },
  });
  return result;
}
