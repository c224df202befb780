import { z } from 'zod';
import type { Request } from 'express';
import type { ApiDeps } from '../deps';
import type { Db } from '../../lib/db';
import type { User } from '../../generated/prisma/client';
import { forbidden } from '../../lib/errors';
import type { RouteDef } from '../http/route';
import { parseOr422 } from '../../lib/validate';
import type { Actor } from './actor';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens';
import { findUser } from './users';

const createBody = z.object({
  name: z.string().trim().min(1).max(64),
  expiresAt: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
});

/** Users manage their own tokens; administrators manage anyone's. */
async function tokenOwner(db: Db, req: Request, actor: Actor): Promise<User> {
  const name = String(req.params.user);
  if (!actor.isAdmin && name !== actor.name) throw forbidden('you may only manage your own tokens');
  return findUser(db, name);
}

export function tokenRoutes({ db }: ApiDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/users/:user/tokens',
      permission: 'authenticated',
      summary: 'Create an API token; its value is shown once',
      async handler(req, res, { actor }) {
        const user = await tokenOwner(db, req, actor);
        const input = parseOr422(createBody, req.body ?? {});
        res.status(201).json(await createApiToken(db, actor, user, input));
      },
    },
    {
      method: 'get',
      path: '/users/:user/tokens',
      permission: 'authenticated',
      summary: "A user's tokens, without their values",
      async handler(req, res, { actor }) {
        const user = await tokenOwner(db, req, actor);
        const items = await listApiTokens(db, user);
        res.json({ items, nextCursor: null });
      },
    },
    {
      method: 'delete',
      path: '/users/:user/tokens/:id',
      permission: 'authenticated',
      summary: 'Revoke a token, effective immediately',
      async handler(req, res, { actor }) {
        const user = await tokenOwner(db, req, actor);
        await revokeApiToken(db, actor, user, String(req.params.id));
        res.status(204).end();
      },
    },
  ];
}
