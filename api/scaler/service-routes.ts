import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import {
  createService,
  createServiceBody,
  deleteService,
  findService,
  listServices,
  runServiceCheck,
  serviceView,
  updateService,
  updateServiceBody,
} from './services';

/** Third-party services (scaler): maintainers manage them, developers use them in pipelines, viewers see names. */
export function serviceRoutes(deps: ApiDeps): RouteDef[] {
  return [...serviceReadRoutes(deps), ...serviceChangeRoutes(deps)];
}

/** Create, list and read services. */
function serviceReadRoutes({ db, config }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/projects/:project/services',
      permission: { project: 'write-services' },
      summary: 'Register a service {name, type, url, credentials, config}; credentials are never returned',
      async handler(req, res, { actor, project, role }) {
        const input = parseOr422(createServiceBody, req.body ?? {});
        res.status(201).json(serviceView(await createService(db, config, actor, project!, input), role));
      },
    },
    {
      method: 'get',
      path: '/projects/:project/services',
      permission: { project: 'read' },
      summary: 'The project services (viewers: names and types only)',
      async handler(req, res, { project, role }) {
        const page = pageOf(req.query);
        const rows = await listServices(db, project!, { limit: page.limit, after: page.cursor });
        res.json(
          paged(
            rows,
            page.limit,
            (r) => r.name,
            (r) => serviceView(r, role),
          ),
        );
      },
    },
    {
      method: 'get',
      path: '/projects/:project/services/:name',
      permission: { project: 'read' },
      summary: 'One service, with credentialsSet instead of its credentials',
      async handler(req, res, { project, role }) {
        res.json(serviceView(await findService(db, project!, String(req.params.name)), role));
      },
    },
  ];
}

/** Update, delete and check a service. */
function serviceChangeRoutes({ db, config }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'put',
      path: '/projects/:project/services/:name',
      permission: { project: 'write-services' },
      summary: 'Change url, config or (whole) credentials of a service',
      async handler(req, res, { actor, project, role }) {
        const input = parseOr422(updateServiceBody, req.body ?? {});
        const row = await updateService(db, config, actor, project!, String(req.params.name), input);
        res.json(serviceView(row, role));
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/services/:name',
      permission: { project: 'write-services' },
      summary: 'Delete a service',
      async handler(req, res, { actor, project }) {
        await deleteService(db, actor, project!, String(req.params.name));
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/projects/:project/services/:name/check',
      permission: { project: 'write-services' },
      summary: 'Probe a service with its credentials -> {ok, status, latencyMs, detail}',
      async handler(req, res, { actor, project }) {
        res.json(await runServiceCheck(db, config, actor, project!, String(req.params.name)));
      },
    },
  ];
}
