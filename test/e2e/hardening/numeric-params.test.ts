import net from 'node:net';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger } from '../../support/runs';

let stack: Stack;
let project: string;
let runPath: string;
beforeAll(async () => {
  // no worker: the run only has to exist for its artifact and output routes
  stack = await startStack({ worker: false });
  project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    'apiVersion: containerops/v1\nkind: Pipeline\nname: p\nsteps:\n  - id: a\n    run: "true"\n',
  );
  const run = await trigger(stack, project, 'p');
  runPath = `/api/v1/projects/${project}/runs/${run.id}`;
});
afterAll(async () => {
  await stack?.stop();
});

async function expectProblemNaming(res: Response, param: string): Promise<void> {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status: 422 });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as { errors: Array<{ path: string }> };
  expect(body.errors.map((e) => e.path)).toContain(param);
}

const NOT_PLAIN = ['1e20', '2147483648', '99999999999999999999999', '-1', '0x10', '1.5', ' 7', ''];

describe('numeric query and path parameters (issue 22 item 2)', () => {
  it('refuses an attempt beyond the column or not a plain integer on artifact and output uploads', async () => {
    for (const kind of ['outputs', 'artifacts']) {
      for (const attempt of NOT_PLAIN) {
        const res = await stack.request(
          'PUT',
          `${runPath}/${kind}/big?attempt=${encodeURIComponent(attempt)}`,
          'x',
          {
            headers: { 'content-type': 'application/octet-stream' },
          },
        );
        await expectProblemNaming(res, 'attempt');
      }
    }
    const stored = await stack.request('PUT', `${runPath}/outputs/big?attempt=2147483647`, 'x', {
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(stored.status).toBe(201);
    // byte offsets beyond any number: a range that cannot be served, or the whole value
    const far = '9'.repeat(40);
    const beyond = await stack.request('GET', `${runPath}/outputs/big`, undefined, {
      headers: { range: `bytes=${far}-` },
    });
    expect(beyond.status).toBe(416);
    const whole = await stack.request('GET', `${runPath}/outputs/big`, undefined, {
      headers: { range: `bytes=0-${far}` },
    });
    expect([whole.status, await whole.text()]).toEqual([206, 'x']);
  });

  it('refuses a limit, cursor, attempt, Last-Event-ID or version that is not a plain integer in range', async () => {
    for (const limit of ['1e2', '0x10', '201', '0', '1.0']) {
      await expectProblemNaming(await stack.request('GET', `/api/v1/projects?limit=${limit}`), 'limit');
    }
    expect((await stack.request('GET', '/api/v1/projects?limit=2')).status).toBe(200);
    await expectProblemNaming(
      await stack.request('GET', '/api/v1/audit?cursor=9999999999999999999'),
      'cursor',
    );
    const logs = `${runPath}/steps/a/logs`;
    await expectProblemNaming(await stack.request('GET', `${logs}?attempt=2147483648`), 'attempt');
    await expectProblemNaming(
      await stack.request('GET', `${logs}?lastEventId=9999999999999999999`),
      'lastEventId',
    );
    await expectProblemNaming(
      await stack.request('GET', logs, undefined, { headers: { 'last-event-id': '1e3' } }),
      'Last-Event-ID',
    );
    const versions = `/api/v1/projects/${project}/pipelines/p/versions`;
    await expectProblemNaming(await stack.request('GET', `${versions}/2147483648`), 'version');
    expect((await stack.request('GET', `${versions}/1`)).status).toBe(200);
    expect((await stack.request('GET', `${versions}/7`)).status).toBe(404);
  });

  it('answers a refused Expect header with a problem document, not an empty 417', async () => {
    const port = new URL(stack.url).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: weird\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 417 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 417, type: 'about:blank', title: 'Expectation Failed' });
  });
});
