import { forgeClient, ForgeError, type ForgeType } from '../../../services/forges';

/** A fetch that records each request and answers from a table keyed by "METHOD path". */
function recorder(answers: Record<string, { status: number; body?: unknown }>) {
  const calls: { method: string; url: string; headers: Record<string, string>; body?: unknown }[] = [];
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push({
      method,
      url,
      headers: init?.headers as Record<string, string>,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const path = new URL(url).pathname + new URL(url).search;
    const answer = answers[`${method} ${path}`] ?? { status: 404, body: { message: 'Not Found' } };
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), {
      status: answer.status,
    });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('GitHub adapter (REST API v3 shapes)', () => {
  const client = (answers: Parameters<typeof recorder>[0]) => {
    const r = recorder(answers);
    return { ...r, forge: forgeClient('github', 'https://api.github.com/', 'ghp_x', r.fetchImpl) };
  };

  it('registers a web hook for push, pull_request and issue_comment with the secret, JSON content', async () => {
    const { forge, calls } = client({ 'POST /repos/acme/app/hooks': { status: 201, body: { id: 12 } } });
    expect(await forge.createHook('acme/app', 'https://co.example/api/v1/forge-hooks/r1', 's3cret')).toBe(
      '12',
    );
    expect(calls[0]!.headers.authorization).toBe('Bearer ghp_x');
    expect(calls[0]!.body).toEqual({
      name: 'web',
      active: true,
      events: ['push', 'pull_request', 'issue_comment'],
      config: {
        url: 'https://co.example/api/v1/forge-hooks/r1',
        content_type: 'json',
        secret: 's3cret',
        insecure_ssl: '0',
      },
    });
  });

  it('reads a file (base64 content) and lists a directory at a commit; a missing one is undefined / empty', async () => {
    const { forge } = client({
      'GET /repos/acme/app/contents/.containerops.yml?ref=abc': {
        status: 200,
        body: { type: 'file', path: '.containerops.yml', content: b64('name: ci\n') },
      },
      'GET /repos/acme/app/contents/.containerops?ref=abc': {
        status: 200,
        body: [
          { type: 'file', path: '.containerops/a.yml' },
          { type: 'dir', path: '.containerops/sub' },
        ],
      },
    });
    expect(await forge.readFile('acme/app', '.containerops.yml', 'abc')).toBe('name: ci\n');
    expect(await forge.listFiles('acme/app', '.containerops', 'abc')).toEqual(['.containerops/a.yml']);
    expect(await forge.readFile('acme/app', 'nope.yml', 'abc')).toBeUndefined();
    expect(await forge.listFiles('acme/app', 'nope', 'abc')).toEqual([]);
  });

  it('posts a commit status with state, context, a description cut to 140 characters and the target URL', async () => {
    const { forge, calls } = client({ 'POST /repos/acme/app/statuses/abc': { status: 201, body: {} } });
    await forge.setStatus('acme/app', 'abc', {
      state: 'failure',
      context: 'containerops/ci',
      description: 'x'.repeat(200),
      targetUrl: 'https://co.example/projects/p/runs/1',
    });
    const body = calls[0]!.body as Record<string, string>;
    expect(body).toMatchObject({
      state: 'failure',
      context: 'containerops/ci',
      target_url: 'https://co.example/projects/p/runs/1',
    });
    expect(body.description).toHaveLength(140);
  });

  it('a 5xx or no answer is transient (retried); a 401 or 422 is not', async () => {
    const { forge } = client({ 'POST /repos/acme/app/statuses/abc': { status: 502, body: {} } });
    const status = { state: 'pending' as const, context: 'c', description: 'd' };
    const outage = await forge.setStatus('acme/app', 'abc', status).catch((e: unknown) => e);
    expect(outage).toBeInstanceOf(ForgeError);
    expect((outage as ForgeError).transient).toBe(true);
    const refused = await client({ 'POST /repos/acme/app/statuses/abc': { status: 422, body: {} } })
      .forge.setStatus('acme/app', 'abc', status)
      .catch((e: unknown) => e);
    expect((refused as ForgeError).transient).toBe(false);
  });
});

describe('GitLab adapter (REST API v4 shapes)', () => {
  const client = (answers: Parameters<typeof recorder>[0]) => {
    const r = recorder(answers);
    return {
      ...r,
      forge: forgeClient('gitlab' as ForgeType, 'https://gitlab.example', 'glpat', r.fetchImpl),
    };
  };
  const project = '/api/v4/projects/group%2Fsub%2Fapp';

  it('registers a project hook with the secret as its token, for push, merge request and note events', async () => {
    const { forge, calls } = client({ [`POST ${project}/hooks`]: { status: 201, body: { id: 7 } } });
    expect(await forge.createHook('group/sub/app', 'https://co.example/h', 'tok')).toBe('7');
    expect(calls[0]!.headers['private-token']).toBe('glpat');
    expect(calls[0]!.body).toMatchObject({
      url: 'https://co.example/h',
      token: 'tok',
      push_events: true,
      merge_requests_events: true,
      note_events: true,
    });
  });

  it('reads files through repository/files and lists blobs through repository/tree', async () => {
    const { forge } = client({
      [`GET ${project}/repository/files/.containerops%2Fa.yml?ref=abc`]: {
        status: 200,
        body: { content: b64('a') },
      },
      [`GET ${project}/repository/tree?path=.containerops&ref=abc&per_page=100`]: {
        status: 200,
        body: [
          { type: 'blob', path: '.containerops/a.yml' },
          { type: 'tree', path: '.containerops/d' },
        ],
      },
    });
    expect(await forge.readFile('group/sub/app', '.containerops/a.yml', 'abc')).toBe('a');
    expect(await forge.listFiles('group/sub/app', '.containerops', 'abc')).toEqual(['.containerops/a.yml']);
  });

  it('maps states to GitLab names: failure -> failed, error -> canceled; the context is the name', async () => {
    const { forge, calls } = client({ [`POST ${project}/statuses/abc`]: { status: 201, body: {} } });
    await forge.setStatus('group/sub/app', 'abc', {
      state: 'failure',
      context: 'containerops/ci',
      description: 'd',
    });
    await forge.setStatus('group/sub/app', 'abc', {
      state: 'error',
      context: 'containerops/ci',
      description: 'd',
    });
    expect(calls.map((c) => (c.body as { state: string; name: string }).state)).toEqual([
      'failed',
      'canceled',
    ]);
    expect((calls[0]!.body as { name: string }).name).toBe('containerops/ci');
  });
});
