import crypto from 'node:crypto';
import type { Db } from '../../lib/db';
import { hashToken, newToken } from './tokens';

/**
 * On first start with an empty database, creates the `admin` user. Its token is
 * CO_BOOTSTRAP_ADMIN_TOKEN when set; otherwise one is generated and returned to be printed once.
 */
export async function ensureBootstrapAdmin(
  db: Db,
  configuredToken: string | undefined,
): Promise<{ created: boolean; token?: string }> {
  if ((await db.user.count()) > 0) return { created: false };
  const generated = configuredToken ? undefined : newToken();
  const token = configuredToken ?? generated!.token;
  const userId = crypto.randomUUID();
  try {
    await db.user.create({
      data: {
        id: userId,
        name: 'admin',
        email: 'admin@localhost',
        isAdmin: true,
        tokens: {
          create: {
            id: crypto.randomUUID(),
            name: 'bootstrap',
            hash: hashToken(token),
            prefix: token.slice(0, 10),
          },
        },
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') return { created: false }; // another replica won the race
    throw err;
  }
  return { created: true, token: generated?.token };
}
