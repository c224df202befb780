import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';
import { projectWithRoles, type TestUser } from '../crew/actors';

/** A GitHub-like API whose /user answers with the Authorization header it got as the login. */
async function echoingGithub(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ login: req.headers.authorization }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

/** A service's credentials go only where the user who gave them sent them. */
describe('service credentials are bound to their address', () => {
  let stack: Stack;
  let owner: TestUser;
  let maintainer: TestUser;
  let project: string;
  let ownersApi: Awaited<ReturnType<typeof echoingGithub>>;
  let attackersApi: Awaited<ReturnType<typeof echoingGithub>>;
  const token = `ghp_${crypto.randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    [ownersApi, attackersApi] = await Promise.all([echoingGithub(), echoingGithub()]);
    stack = await startStack({ worker: false, config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
    ({ project, owner, maintainer } = await projectWithRoles(stack));
    const created = await stack.request(
      'POST',
      `/api/v1/projects/${project}/services`,
      { name: 'gh', type: 'github', url: ownersApi.url, credentials: { token } },
      { token: owner.token },
    );
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([ownersApi?.close(), attackersApi?.close()]);
  });

  const put = (body: object, by: TestUser) =>
    stack.request('PUT', `/api/v1/projects/${project}/services/gh`, body, { token: by.token });
  const check = async (by: TestUser) => {
    const res = await stack.request('POST', `/api/v1/projects/${project}/services/gh/check`, undefined, {
      token: by.token,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { ok: boolean; detail: string };
  };

  it("a maintainer who changes only the url gets a 422 naming url, and the check still goes to the owner's host", async () => {
    const moved = await put({ url: attackersApi.url }, maintainer);
    expect(moved.status).toBe(422);
    expect(moved.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await moved.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors).toEqual([{ path: 'url', message: expect.stringMatching(/credentials again/) }]);
    // a different spelling of the same address is no move
    expect((await put({ url: `${ownersApi.url}/` }, maintainer)).status).toBe(200);

    await check(maintainer);
    expect(attackersApi.seen).toEqual([]);
    expect(ownersApi.seen).toContain(`Bearer ${token}`);
    const view = (await (
      await stack.request('GET', `/api/v1/projects/${project}/services/gh`, undefined, { token: owner.token })
    ).json()) as { url: string };
    expect(new URL(view.url).host).toBe(new URL(ownersApi.url).host);
  });

  it('the check answer never echoes a credential, even when the service sends it back', async () => {
    const answer = await check(owner);
    expect(answer.ok).toBe(true);
    expect(JSON.stringify(answer)).not.toContain(token);
    expect(answer.detail).toBe('authenticated as Bearer ***');
  });

  it('moving the url together with new credentials is allowed', async () => {
    const other = `ghp_${crypto.randomBytes(16).toString('hex')}`;
    expect((await put({ url: attackersApi.url, credentials: { token: other } }, maintainer)).status).toBe(
      200,
    );
    await check(maintainer);
    expect(attackersApi.seen).toEqual([`Bearer ${other}`]);
  });

  it('a url that carries credentials itself (user:pass@) is refused: they would be neither sealed nor hidden', async () => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/services`,
      { name: 'inline', type: 'generic-http', url: `http://ci:${token}@127.0.0.1:1/` },
      { token: owner.token },
    );
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).not.toContain(token);
    expect((JSON.parse(body) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['url']);
  });

  it("a cluster's TLS trust is bound to its credentials too", async () => {
    const body = {
      name: 'k8s',
      type: 'kubernetes-cluster',
      url: 'https://kube.example.org:6443',
      credentials: { token },
      config: { namespace: 'apps' },
    };
    const created = await stack.request('POST', `/api/v1/projects/${project}/services`, body, {
      token: owner.token,
    });
    expect(created.status).toBe(201);
    const res = await stack.request(
      'PUT',
      `/api/v1/projects/${project}/services/k8s`,
      { config: { namespace: 'apps', insecureSkipTlsVerify: true } },
      { token: maintainer.token },
    );
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual(['config.insecureSkipTlsVerify']);
    const namespaceOnly = await stack.request(
      'PUT',
      `/api/v1/projects/${project}/services/k8s`,
      { config: { namespace: 'other' } },
      { token: maintainer.token },
    );
    expect(namespaceOnly.status).toBe(200);
  });
});
