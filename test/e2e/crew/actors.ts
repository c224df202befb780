import crypto from 'node:crypto';
import { hashToken, newToken } from '../../../api/crew/tokens';
import type { Stack } from '../../support/stack';

/** A fresh user with one token, created straight in the database (the admin routes are tested elsewhere). */
export async function createUserWithToken(
  stack: Stack,
  name: string,
): Promise<{ id: string; name: string; token: string }> {
  const id = crypto.randomUUID();
  const { token } = newToken();
  await stack.db.user.create({
    data: {
      id,
      name,
      email: `${name}@example.org`,
      tokens: {
        create: { id: crypto.randomUUID(), name: 'test', hash: hashToken(token), prefix: token.slice(0, 10) },
      },
    },
  });
  return { id, name, token };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomBytes(3).toString('hex')}`;
}
