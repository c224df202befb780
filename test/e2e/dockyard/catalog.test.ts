import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ociTool } from '../../../scripts/oci-tools';
import { startStack, ADMIN_TOKEN, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';
import { createUserWithToken, grant, type TestUser } from '../crew/actors';

const run = promisify(execFile);

/** GET /v2/_catalog (issue 22 item 9b): per-project visibility, n/last pagination, Link; crane reads it. */
describe('dockyard registry catalog', () => {
  let stack: Stack;
  let crane: string;
  let work: string;
  let host: string;
  let viewer: TestUser;
  let mine: string;
  let other: string;

  const craneEnv = (token: string) => {
    const dir = fs.mkdtempSync(path.join(work, 'docker-'));
    const auth = Buffer.from(`ci:${token}`).toString('base64');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { auth } } }));
    return { ...process.env, DOCKER_CONFIG: dir, HOME: dir };
  };
  const basic = (token: string) => ({
    authorization: `Basic ${Buffer.from(`ci:${token}`).toString('base64')}`,
  });

  beforeAll(async () => {
    crane = ociTool('crane');
    stack = await startStack({ worker: false });
    host = new URL(stack.url).host;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-catalog-'));
    mine = await createProject(stack);
    other = await createProject(stack);
    viewer = await createUserWithToken(stack);
    await grant(stack, mine, viewer.name, 'viewer');
    const admin = craneEnv(ADMIN_TOKEN);
    const layer = path.join(work, 'layer.tar');
    fs.writeFileSync(path.join(work, 'hello.txt'), 'hello\n');
    await run('tar', ['-cf', layer, '-C', work, 'hello.txt']);
    for (const repo of [`${mine}/b`, `${mine}/a`, `${mine}/c/d`, `${other}/secret`]) {
      await run(
        crane,
        ['append', '--insecure', '-f', layer, '-t', `${host}/${repo}:v1`, '--oci-empty-base'],
        {
          env: admin,
        },
      );
    }
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("lists the repositories of the caller's projects only, to crane as to plain HTTP", async () => {
    const { stdout } = await run(crane, ['catalog', '--insecure', host], { env: craneEnv(viewer.token) });
    expect(stdout.trim().split('\n')).toEqual([`${mine}/a`, `${mine}/b`, `${mine}/c/d`]);
    const res = await fetch(`${stack.url}/v2/_catalog`, { headers: basic(viewer.token) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ repositories: [`${mine}/a`, `${mine}/b`, `${mine}/c/d`] });
    const all = (await (await fetch(`${stack.url}/v2/_catalog`, { headers: basic(ADMIN_TOKEN) })).json()) as {
      repositories: string[];
    };
    expect(all.repositories).toEqual(expect.arrayContaining([`${mine}/a`, `${other}/secret`]));
  });

  it('pages with n and last, and a Link header to the next page', async () => {
    const first = await fetch(`${stack.url}/v2/_catalog?n=2`, { headers: basic(viewer.token) });
    expect(await first.json()).toEqual({ repositories: [`${mine}/a`, `${mine}/b`] });
    const link = first.headers.get('link');
    expect(link).toBe(`</v2/_catalog?n=2&last=${encodeURIComponent(`${mine}/b`)}>; rel="next"`);
    const next = await fetch(`${stack.url}${/^<([^>]+)>/.exec(link!)![1]}`, { headers: basic(viewer.token) });
    expect(await next.json()).toEqual({ repositories: [`${mine}/c/d`] });
    expect(next.headers.get('link')).toBeNull();
  });

  it('challenges an anonymous caller and refuses an n that is not a plain integer', async () => {
    const anonymous = await fetch(`${stack.url}/v2/_catalog`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/scope="registry:catalog:\*"/);
    const bad = await fetch(`${stack.url}/v2/_catalog?n=1e3`, { headers: basic(viewer.token) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      errors: [{ code: 'PAGINATION_NUMBER_INVALID', message: expect.any(String) }],
    });
  });
});
