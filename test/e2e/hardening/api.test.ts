import net from 'node:net';
import zlib from 'node:zlib';
import { apiRoutes } from '../../../api/routes';
import type { ApiDeps } from '../../../api/deps';
import { AUTH_FAILURE_LIMIT } from '../../../api/http/rate-limit';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually } from '../../support/runs';
import { TcpProxy } from '../../support/tcp-proxy';
import { temporalClient } from '../../../lib/temporal';

let stack: Stack;
let project: string;
beforeAll(async () => {
  stack = await startStack({ worker: false });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

async function expectProblem(res: Response, status: number): Promise<Record<string, unknown>> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: 'about:blank' });
  return body;
}

/** Sends raw bytes and returns the raw answer (for requests fetch refuses to send). */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (answer += d));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

const writeRoutes = () =>
  apiRoutes({} as ApiDeps)
    .filter((r) => r.method !== 'get')
    .map((r) => ({ method: r.method.toUpperCase(), path: `/api/v1${r.path.replace(/:\w+/g, 'x')}` }));

describe('hostile requests get 4xx problem+json, never 500', () => {
  it('answers 400 to bad percent-encoding in a path parameter (issue 15 item 2)', async () => {
    for (const p of [
      '/api/v1/projects/%ff',
      '/api/v1/projects/%',
      `/api/v1/projects/${project}/runs/%E0%A4%A`,
    ]) {
      const body = await expectProblem(await stack.request('GET', p), 400);
      expect(body.detail).toMatch(/percent-encoding/);
    }
  });

  it('answers 400 to an undecodable Content-Encoding body on every write route (item 3)', async () => {
    const routes = writeRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(16);
    const garbage = Buffer.from('this is not compressed at all');
    for (const route of routes) {
      for (const encoding of ['gzip', 'br', 'deflate']) {
        const res = await fetch(`${stack.url}${route.path}`, {
          method: route.method,
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          body: garbage,
        });
        const body = await expectProblem(res, 400);
        expect(body.detail).toMatch(/Content-Encoding/);
      }
    }
    // a well-formed compressed body is still read
    const res = await fetch(`${stack.url}/api/v1/projects`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer co_test_admin_token_0123456789abcdef',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: zlib.gzipSync(JSON.stringify({ name: 'gzipped-project' })),
    });
    expect(res.status).toBe(201);
  });

  it("answers Node's own 431 and 400 with problem+json bodies (item 13)", async () => {
    const port = Number(new URL(stack.url).port);
    const long = await fetch(`${stack.url}/api/v1/projects?q=${'a'.repeat(30_000)}`);
    await expectProblem(long, 431);
    const badLength = await rawRequest(
      port,
      'POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    );
    expect(badLength).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(badLength).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(badLength.split('\r\n\r\n')[1]!)).toMatchObject({ status: 400, title: 'Bad Request' });
  });
});

describe('runs', () => {
  it('answers 422 to an Idempotency-Key reused with other params (item 10)', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1\nkind: Pipeline\nname: keyed\nparams:\n  - { name: env, default: staging }\nsteps:\n  - { id: a, run: "true" }\n`,
    );
    const send = (params: Record<string, string>) =>
      stack.request(
        'POST',
        `/api/v1/projects/${project}/pipelines/keyed/runs`,
        { params },
        { headers: { 'idempotency-key': 'release-42' } },
      );
    const first = await send({ env: 'prod' });
    expect(first.status).toBe(201);
    const again = await send({ env: 'prod' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    const other = await expectProblem(await send({ env: 'staging' }), 422);
    expect(other.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
    const list = (await (
      await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=keyed`)
    ).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });

  it('answers a cancel during a Temporal outage with a prompt 503, and a retried cancel is kept (item 8)', async () => {
    const [host, port] = [
      process.env.TEMPORAL_ADDRESS!.split(':')[0]!,
      Number(process.env.TEMPORAL_ADDRESS!.split(':')[1]),
    ];
    const proxy = new TcpProxy(host, port);
    await proxy.start();
    const viaProxy = await startStack({
      worker: false,
      config: { TEMPORAL_ADDRESS: `127.0.0.1:${proxy.port}` },
    });
    try {
      const name = await createProject(viaProxy);
      await createPipeline(
        viaProxy,
        name,
        `apiVersion: containerops/v1\nkind: Pipeline\nname: long\nsteps:\n  - { id: a, run: "sleep 600" }\n`,
      );
      // no worker polls this task queue: the run stays queued until cancelled
      const started = await viaProxy.request('POST', `/api/v1/projects/${name}/pipelines/long/runs`, {});
      expect(started.status).toBe(201);
      const run = (await started.json()) as { id: string; number: number; workflowId: string };
      await proxy.stop();
      // the client gives up well before the SDK's own ~20 s of retries
      const refused = await viaProxy.request('POST', `/api/v1/projects/${name}/runs/${run.id}/cancel`);
      const body = await expectProblem(refused, 503);
      expect(body.detail).toMatch(/try again/);
      const cancelRequests = async () => {
        const handle = temporalClient(stack.temporal, stack.config.TEMPORAL_NAMESPACE).workflow.getHandle(
          run.workflowId,
        );
        const { events } = await handle.fetchHistory();
        return events!.filter((e) => e.workflowExecutionCancelRequestedEventAttributes).length;
      };
      // a refused cancel changed nothing; the retried one is recorded by Temporal before the 202
      expect(await cancelRequests()).toBe(0);
      await proxy.start();
      // as a client does with a 503: retry until the cancel is accepted (the channel reconnects)
      const accepted = await eventually(async () => {
        const res = await viaProxy.request('POST', `/api/v1/projects/${name}/runs/${run.id}/cancel`);
        return res.status === 503 ? undefined : res;
      }, 'the cancel to be accepted');
      expect(accepted.status).toBe(202);
      expect(await cancelRequests()).toBe(1);
    } finally {
      await viaProxy.stop();
      await proxy.stop();
    }
  });
});

describe('X-Forwarded-For (item 9)', () => {
  let fresh: Stack;
  beforeAll(async () => {
    fresh = await startStack({ worker: false });
  });
  afterAll(async () => {
    await fresh?.stop();
  });

  it('is not trusted by default: rotating it neither resets the lockout nor locks out others', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_FAILURE_LIMIT; i++) {
      const res = await fresh.request('GET', '/api/v1/whoami', undefined, {
        token: `co_guess_${i}_aaaaaaaaaaaaaaaaaaaaaaaaaaaa`,
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, AUTH_FAILURE_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses[AUTH_FAILURE_LIMIT]).toBe(429);
    // the lockout is on the real peer, whatever the header claims
    const res = await fresh.request('GET', '/api/v1/whoami', undefined, {
      headers: { 'x-forwarded-for': '198.51.100.77' },
    });
    expect(res.status).toBe(429);
  });
});
