import { z } from 'zod';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { pageOf, paged } from '../http/pagination';
import { parseOr422 } from '../../lib/validate';
import { resourceName } from './names';
import { createUser, findUser, listUsers, updateUser, userView } from './users';

const createBody = z.object({
  name: resourceName,
  email: z.email().max(254),
  isAdmin: z.boolean().default(false),
});

const updateBody = z
  .object({ disabled: z.boolean().optional(), isAdmin: z.boolean().optional() })
  .refine((b) => b.disabled !== undefined || b.isAdmin !== undefined, {
    message: 'set disabled or isAdmin',
  });

export function userRoutes({ db }: ApiDeps): RouteDef[] {
  const update: RouteDef['handler'] = async (req, res, { actor }) => {
    const change = parseOr422(updateBody, req.body ?? {});
    res.json(userView(await updateUser(db, actor, String(req.params.user), change)));
  };
  return [
    {
      method: 'post',
      path: '/users',
      permission: 'admin',
      summary: 'Create a user (then give them a token)',
      async handler(req, res, { actor }) {
        const input = parseOr422(createBody, req.body ?? {});
        res.status(201).json(userView(await createUser(db, actor, input)));
      },
    },
    {
      method: 'get',
      path: '/users',
      permission: 'admin',
      summary: 'All users, by name',
      async handler(req, res) {
        const page = pageOf(req.query);
        const rows = await listUsers(db, { limit: page.limit, after: page.cursor });
        res.json(paged(rows, page.limit, (u) => u.name, userView));
      },
    },
    {
      method: 'get',
      path: '/users/:user',
      permission: 'admin',
      summary: 'One user',
      async handler(req, res) {
        res.json(userView(await findUser(db, String(req.params.user))));
      },
    },
    {
      method: 'patch',
      path: '/users/:user',
      permission: 'admin',
      summary: 'Disable or enable a user',
      handler: update,
    },
    {
      method: 'put',
      path: '/users/:user',
      permission: 'admin',
      summary: 'Disable or enable a user',
      handler: update,
    },
  ];
}
