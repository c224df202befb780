import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

/** Health checks per type against real servers: an SMTP server in-process and the platform's own registry. */
describe('service checks', () => {
  let smtp: SMTPServer;
  let stack: Stack;
  let project: string;

  beforeAll(async () => {
    smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    stack = await startStack({ worker: false, config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
    project = await createProject(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  });

  async function check(body: object): Promise<Record<string, unknown>> {
    const created = await stack.request('POST', `/api/v1/projects/${project}/services`, body);
    expect(created.status).toBe(201);
    const name = (body as { name: string }).name;
    const res = await stack.request('POST', `/api/v1/projects/${project}/services/${name}/check`);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it('an smtp service answers EHLO', async () => {
    const { port } = smtp.server.address() as AddressInfo;
    expect(await check({ name: 'mail', type: 'smtp', url: `smtp://127.0.0.1:${port}` })).toMatchObject({
      ok: true,
      status: 'ok',
      detail: expect.stringMatching(/^EHLO accepted/),
    });
  });

  it('an oci-registry service authenticates at /v2/, and wrong credentials are reported as such', async () => {
    expect(
      await check({
        name: 'registry',
        type: 'oci-registry',
        url: stack.url,
        credentials: { username: 'admin', password: ADMIN_TOKEN },
      }),
    ).toMatchObject({ ok: true, status: 'ok' });
    expect(
      await check({
        name: 'registry-bad',
        type: 'oci-registry',
        url: stack.url,
        credentials: { username: 'admin', password: 'not-a-token-at-all' },
      }),
    ).toMatchObject({ ok: false, status: 'unauthorized' });
  });

  it('a service nobody listens on is unreachable, with the reason', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.server.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(
      await check({ name: 'gone', type: 'generic-http', url: `http://127.0.0.1:${port}` }),
    ).toMatchObject({
      ok: false,
      status: 'unreachable',
      detail: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});
