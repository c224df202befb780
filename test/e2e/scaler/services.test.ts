import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';
import { dumpDatabase, historyBytes } from '../../support/leaks';
import { createUserWithToken, grant } from '../crew/actors';

const token = `tk-${crypto.randomBytes(16).toString('hex')}`;
const secret = `se-${crypto.randomBytes(16).toString('hex')}`;

/** A local API that answers only requests bearing the service token. */
function bearerServer(): Promise<{ server: http.Server; url: string; authorized: () => number }> {
  let authorized = 0;
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end('who are you?');
      return;
    }
    authorized++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`pong ${req.url}`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        authorized: () => authorized,
      }),
    ),
  );
}

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: calls-api
steps:
  - id: call
    services: [echo-api]
    env: { SECRET: "\${{ secrets.ECHO_ME }}" }
    run: |
      echo "token=$CO_SERVICE_ECHO_API_TOKEN"
      echo "secret=$SECRET"
      node -e '
        const { CO_SERVICE_ECHO_API_URL: url, CO_SERVICE_ECHO_API_TOKEN: token } = process.env;
        fetch(url + "/ping", { headers: { authorization: "Bearer " + token } })
          .then(async (r) => { console.log("answer", r.status, await r.text()); process.exit(r.ok ? 0 : 1); });
      '
  - id: cluster
    services: [dev-cluster]
    run: |
      echo "mode=$(stat -c %a "$CO_SERVICE_DEV_CLUSTER_KUBECONFIG")"
      grep -q '"server":"https://kube.example.org:6443"' "$KUBECONFIG" && echo "kubeconfig names the server"
      echo "file=$CO_SERVICE_DEV_CLUSTER_KUBECONFIG" >> "$CO_OUTPUTS"
`;

describe('services', () => {
  let stack: Stack;
  let project: string;
  let api: Awaited<ReturnType<typeof bearerServer>>;
  const base = () => `/api/v1/projects/${project}`;

  beforeAll(async () => {
    api = await bearerServer();
    stack = await startStack({ config: { CO_SERVICES_ALLOW_PRIVATE: 'true' } });
    project = await createProject(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    api?.server.close();
  });

  it('registers a generic-http service whose credentials are never returned, and checks it', async () => {
    const created = await stack.request('POST', `${base()}/services`, {
      name: 'echo-api',
      type: 'generic-http',
      url: api.url,
      credentials: { token },
      config: { healthPath: '/health' },
    });
    expect(created.status).toBe(201);
    const shown = await (await stack.request('GET', `${base()}/services/echo-api`)).text();
    expect(shown).not.toContain(token);
    expect(JSON.parse(shown)).toMatchObject({ name: 'echo-api', type: 'generic-http', credentialsSet: true });

    const check = await stack.request('POST', `${base()}/services/echo-api/check`);
    expect(await check.json()).toMatchObject({ ok: true, status: 'ok', latencyMs: expect.any(Number) });
    expect(api.authorized()).toBe(1);
  });

  it('validates credentials and config per type, with a path per problem', async () => {
    const res = await stack.request('POST', `${base()}/services`, {
      name: 'bad',
      type: 'kubernetes-cluster',
      url: 'ftp://cluster',
      credentials: { clientCertificate: 'pem', password: 'x' },
    });
    expect(res.status).toBe(422);
    const paths = ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'credentials']));
  });

  it('refuses to check a service at the link-local metadata address, whatever the settings', async () => {
    await stack.request('POST', `${base()}/services`, {
      name: 'metadata',
      type: 'generic-http',
      url: 'http://169.254.169.254/latest/meta-data/',
    });
    const res = await stack.request('POST', `${base()}/services/metadata/check`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: false,
      status: 'refused',
      detail: expect.stringMatching(/169\.254\.169\.254 is a link-local address/),
    });
  });

  it('viewers see names only; developers may not manage services', async () => {
    const viewer = await createUserWithToken(stack);
    const developer = await createUserWithToken(stack);
    await grant(stack, project, viewer.name, 'viewer');
    await grant(stack, project, developer.name, 'developer');
    const list = (await (
      await stack.request('GET', `${base()}/services`, undefined, { token: viewer.token })
    ).json()) as {
      items: unknown[];
    };
    expect(list.items).toContainEqual({ name: 'echo-api', type: 'generic-http' });
    const forbidden = await stack.request('POST', `${base()}/services/echo-api/check`, undefined, {
      token: developer.token,
    });
    expect(forbidden.status).toBe(403);
  });

  it('injects the service into a step that calls it; logs, history and database never hold the values', async () => {
    expect(
      (await stack.request('POST', `${base()}/secrets`, { name: 'ECHO_ME', value: secret })).status,
    ).toBe(201);
    expect(
      (
        await stack.request('POST', `${base()}/services`, {
          name: 'dev-cluster',
          type: 'kubernetes-cluster',
          url: 'https://kube.example.org:6443',
          credentials: { token: `kube-${token}` },
          config: { namespace: 'apps' },
        })
      ).status,
    ).toBe(201);
    await createPipeline(stack, project, PIPELINE);
    const before = api.authorized();
    const started = await trigger(stack, project, 'calls-api');
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    expect(api.authorized()).toBe(before + 1);

    const logs = await (await stack.request('GET', `${base()}/runs/${run.id}/steps/call/logs`)).text();
    expect(logs).toContain('token=***\n');
    expect(logs).toContain('secret=***\n');
    expect(logs).toContain('answer 200 pong /ping\n');

    const clusterLogs = await (
      await stack.request('GET', `${base()}/runs/${run.id}/steps/cluster/logs`)
    ).text();
    expect(clusterLogs).toContain('mode=600\n');
    expect(clusterLogs).toContain('kubeconfig names the server\n');
    expect(fs.existsSync(step(run, 'cluster').outputs.file!)).toBe(false);

    const history = await historyBytes(stack, run.workflowId);
    const dump = await dumpDatabase(stack.config.DATABASE_URL!);
    for (const value of [token, secret]) {
      expect(history.includes(value)).toBe(false);
      expect(dump.includes(value)).toBe(false);
    }
    expect(dump).toContain('echo-api');
  });
});
