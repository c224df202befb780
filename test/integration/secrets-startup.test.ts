import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { generateKey } from '../../lib/secret-box';
import { createProject } from '../support/runs';
import { startStack } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');

/** The API and the worker refuse to start without the key that opens the stored secrets. */
describe('CO_SECRETS_KEY at start-up', () => {
  const start = (entry: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', entry], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        DATABASE_URL: process.env.DATABASE_URL!,
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('a missing or malformed key prints one line naming CO_SECRETS_KEY', () => {
    for (const entry of ['api/main.ts', 'workers/main.ts']) {
      const missing = start(entry, {});
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim()).toBe(
        'error: invalid configuration: CO_SECRETS_KEY: is required (32 random bytes, base64: openssl rand -base64 32)',
      );
    }
    const malformed = start('api/main.ts', { CO_SECRETS_KEY: 'letmein' });
    expect(malformed.status).toBe(1);
    expect(malformed.stderr.trim()).toMatch(
      /^error: invalid configuration: CO_SECRETS_KEY: must be 32 random bytes/,
    );
  });

  it('a key that does not open the stored secrets is refused before anything else runs', async () => {
    const stack = await startStack({ worker: false });
    const project = await createProject(stack);
    await stack.request('POST', `/api/v1/projects/${project}/secrets`, { name: 'X', value: 'sealed-value' });
    await stack.stop();
    const wrong = start('api/main.ts', { CO_SECRETS_KEY: generateKey() });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toMatch(
      /^error: invalid configuration: CO_SECRETS_KEY: does not open the stored secrets/,
    );
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  });
});
