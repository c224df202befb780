import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startStack, type Stack } from '../support/stack';
import { eventually } from '../support/runs';
import { TcpProxy } from '../support/tcp-proxy';

const ROOT = path.resolve(__dirname, '../..');

describe('readiness', () => {
  let proxy: TcpProxy;
  let stack: Stack;

  beforeAll(async () => {
    const db = new URL(process.env.DATABASE_URL!);
    proxy = new TcpProxy(db.hostname, Number(db.port || 3306));
    db.port = String(await proxy.start());
    stack = await startStack({ worker: false, config: { DATABASE_URL: db.toString() } });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('/healthz answers while the process is up; /readyz follows the database going away and coming back', async () => {
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);

    await proxy.stop();
    const down = await eventually(async () => {
      const res = await fetch(`${stack.url}/readyz`);
      return res.status === 503 ? ((await res.json()) as { failing: string[] }) : undefined;
    }, 'readyz to report 503');
    expect(down.failing).toEqual(['database']);
    expect((await fetch(`${stack.url}/healthz`)).status).toBe(200);
    // an API call meanwhile is told to come back, not handed a bare 500
    const call = await stack.request('GET', '/api/v1/projects');
    expect(call.status).toBe(503);
    expect(call.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(call.headers.get('retry-after')).toBe('2');
    expect(((await call.json()) as { detail: string }).detail).toMatch(/database is busy or unreachable/);

    await proxy.start();
    await eventually(
      async () => ((await fetch(`${stack.url}/readyz`)).status === 200 ? true : undefined),
      'readyz to recover',
    );
  });
});

describe('start-up failures', () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', 'api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: '0',
        CO_SECRETS_KEY: process.env.CO_TEST_SECRETS_KEY,
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('a bad DATABASE_URL prints one line naming it and exits non-zero', () => {
    const result = start({ DATABASE_URL: 'postgres://nope' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: invalid configuration: DATABASE_URL: must be a mysql:\/\/ URL/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unreachable database prints one line and exits non-zero', () => {
    const result = start({ DATABASE_URL: 'mysql://root:secret@127.0.0.1:1/containerops' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^error: cannot reach the database at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/containerops: /,
    );
    expect(result.stderr).not.toContain('secret');
  });

  it('an unreachable Temporal prints one line and exits non-zero', () => {
    const result = start({ DATABASE_URL: process.env.DATABASE_URL!, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: cannot reach Temporal at 127\.0\.0\.1:1: /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
