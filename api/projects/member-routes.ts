import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { ROLES } from '../crew/roles';
import { listMembers, removeMember, setMemberRole } from './members';

const roleBody = z.object({ role: z.enum(ROLES) });

export function memberRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/projects/:project/members',
      permission: { project: 'read' },
      summary: 'Users and teams with a role in the project',
      async handler(req, res, { project }) {
        const page = pageOf(req.query);
        const rows = await listMembers(db, project!, { limit: page.limit, after: page.cursor });
        res.json(
          paged(
            rows,
            page.limit,
            (r) => r.id,
            (r) => r.view,
          ),
        );
      },
    },
    {
      method: 'put',
      path: '/projects/:project/members/:member',
      permission: { project: 'manage-members' },
      summary: 'Grant or change the role of a user or of team:<name>',
      async handler(req, res, { actor, project }) {
        const { role } = parseOr422(roleBody, req.body ?? {});
        const result = await setMemberRole(db, actor, project!, String(req.params.member), role);
        res.status(result.created ? 201 : 200).json(result.view);
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/members/:member',
      permission: { project: 'manage-members' },
      summary: 'Remove a user or team:<name> from the project',
      async handler(req, res, { actor, project }) {
        await removeMember(db, actor, project!, String(req.params.member));
        res.status(204).end();
      },
    },
  ];
}
