import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { resourceName } from './names';
import { addTeamMember, createTeam, findTeam, listTeams, removeTeamMember, teamView } from './teams';

const createBody = z.object({ name: resourceName });

export function teamRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/teams',
      permission: 'admin',
      summary: 'Create a team',
      async handler(req, res, { actor }) {
        const { name } = parseOr422(createBody, req.body ?? {});
        res.status(201).json(await teamView(db, await createTeam(db, actor, name)));
      },
    },
    {
      method: 'get',
      path: '/teams',
      permission: 'admin',
      summary: 'All teams with their members',
      async handler(req, res) {
        const page = pageOf(req.query);
        const rows = await listTeams(db, { limit: page.limit, after: page.cursor });
        const more = rows.length > page.limit;
        const teams = more ? rows.slice(0, page.limit) : rows;
        res.json({
          items: await Promise.all(teams.map((t) => teamView(db, t))),
          nextCursor: more ? teams[teams.length - 1]!.name : null,
        });
      },
    },
    {
      method: 'get',
      path: '/teams/:team',
      permission: 'admin',
      summary: 'One team with its members',
      async handler(req, res) {
        res.json(await teamView(db, await findTeam(db, String(req.params.team))));
      },
    },
    {
      method: 'put',
      path: '/teams/:team/members/:user',
      permission: 'admin',
      summary: 'Add a user to a team',
      async handler(req, res, { actor }) {
        await addTeamMember(db, actor, String(req.params.team), String(req.params.user));
        res.json(await teamView(db, await findTeam(db, String(req.params.team))));
      },
    },
    {
      method: 'delete',
      path: '/teams/:team/members/:user',
      permission: 'admin',
      summary: 'Remove a user from a team',
      async handler(req, res, { actor }) {
        await removeTeamMember(db, actor, String(req.params.team), String(req.params.user));
        res.status(204).end();
      },
    },
  ];
}
