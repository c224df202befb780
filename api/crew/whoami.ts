import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';

export function whoamiRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/whoami',
      permission: 'authenticated',
      summary: 'The caller: user, admin flag and project roles',
      async handler(_req, res, { actor }) {
        const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId } });
        res.json({ id: user.id, name: user.name, email: user.email, isAdmin: user.isAdmin });
      },
    },
  ];
}
