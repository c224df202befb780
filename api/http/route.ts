import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Db } from '../../lib/db';
import type { Project } from '../../generated/prisma/client';
import { forbidden } from '../../lib/errors';
import { authenticate, type Actor } from '../crew/actor';
import { visibleProject } from '../crew/membership';
import { roleAllows, type ProjectAction, type Role } from '../crew/roles';

/** Who may call a route. Every route declares one; there is no default. */
export type Permission = 'public' | 'authenticated' | 'admin' | { project: ProjectAction };

export interface RouteContext {
  actor: Actor;
  /** Set for project routes (`:project` in the path). */
  project?: Project;
  role?: Role;
}

export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  permission: Permission;
  /** Summary for the OpenAPI document. */
  summary: string;
  /** a step's run token may call it (dockyard artifact and output routes); refused everywhere else */
  runToken?: boolean;
  /** the worker's signed maintenance token may call it (the dockyard GC and log retention schedules) */
  maintenanceToken?: boolean;
  handler(req: Request, res: Response, ctx: RouteContext): Promise<void> | void;
}

async function authorize(db: Db, req: Request, route: RouteDef): Promise<RouteContext> {
  const { permission } = route;
  if (permission === 'public') return { actor: undefined as unknown as Actor };
  const actor = await authenticate(db, req);
  if (actor.run && !route.runToken)
    throw forbidden("a run token is only valid for its run's artifacts and outputs");
  if (actor.maintenance && !route.maintenanceToken)
    throw forbidden('a maintenance token is only valid for dockyard gc and log retention');
  if (permission === 'authenticated') return { actor };
  if (permission === 'admin') {
    if (!actor.isAdmin && !(actor.maintenance && route.maintenanceToken))
      throw forbidden('only administrators may do this');
    return { actor };
  }
  const projectName = req.params.project;
  if (typeof projectName !== 'string') throw new Error('project permission on a route without :project');
  const { project, role } = await visibleProject(db, actor, projectName);
  if (!roleAllows(role, permission.project)) {
    throw forbidden(`your role "${role}" in project ${project.name} does not allow "${permission.project}"`);
  }
  return { actor, project, role };
}

export function mountRoutes(db: Db, routes: RouteDef[]): Router {
  const router = Router();
  for (const route of routes) {
    assertDeclared(route);
    const handler: RequestHandler = async (req, res, next) => {
      res.locals.route = `/api/v1${route.path}`;
      try {
        const ctx = await authorize(db, req, route);
        res.locals.actor = ctx.actor;
        await route.handler(req, res, ctx);
      } catch (err) {
        next(err);
      }
    };
    router[route.method](route.path, handler);
  }
  return router;
}

/** Fails at start-up, not at request time, when a route forgot its permission or its `:project`. */
function assertDeclared(route: RouteDef): void {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  if (!route.permission) throw new Error(`route ${where} declares no permission`);
  if (typeof route.permission === 'object' && !route.path.includes(':project')) {
    throw new Error(`route ${where} has a project permission but no :project parameter`);
  }
}
