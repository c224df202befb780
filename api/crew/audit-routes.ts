import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf } from '../http/pagination';
import { listAuditEvents } from './audit-log';

export function auditRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/audit',
      permission: 'admin',
      summary: 'The whole audit log, newest first',
      async handler(req, res) {
        res.json(await listAuditEvents(db, {}, pageOf(req.query)));
      },
    },
    {
      method: 'get',
      path: '/projects/:project/audit',
      permission: { project: 'read-audit' },
      summary: "The project's audit log, newest first",
      async handler(req, res, { project }) {
        res.json(await listAuditEvents(db, { projectId: project!.id }, pageOf(req.query)));
      },
    },
  ];
}
