import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
import { signToken, signingKey } from '../../../lib/signed-tokens';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(240_000);

let stack: Stack;
let browser: Browser;
let project: string;
let ui: UiPage | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  project = await createProject(stack);
});
afterEach(async () => {
  const problems = ui?.problems ?? [];
  await ui?.context.close();
  ui = undefined;
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const sitePipeline = `apiVersion: containerops/v1
kind: Pipeline
name: site
steps:
  - id: build
    run: |
      mkdir -p public
      echo "<h1>hello</h1>" > public/index.html
    artifacts:
      out: [{ name: site, path: public }]
`;

describe('artifacts on the run page', () => {
  it('downloads a step artifact through a link issued to the signed-in session (no 401), as the packed tar.gz', async () => {
    await createPipeline(stack, project, sitePipeline);
    const started = await trigger(stack, project, 'site');
    expect((await waitForRun(stack, project, started.id)).status).toBe('succeeded');

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    await page.getByRole('heading', { name: 'build' }).waitFor();
    const button = page.getByRole('button', { name: 'Download site.tar.gz' });
    await screenshot(page, 'run-artifacts');

    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('site.tar.gz');
    const file = await download.path();
    const listing = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' });
    expect(listing).toMatch(/index\.html/);
    expect(execFileSync('tar', ['-xzOf', file, '--wildcards', '*index.html'], { encoding: 'utf8' })).toBe(
      '<h1>hello</h1>\n',
    );
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});

const HUGE_BYTES = 48 * 1024 * 1024;
const hugePipeline = `apiVersion: containerops/v1
kind: Pipeline
name: huge
steps:
  - id: build
    run: |
      mkdir -p out
      head -c ${HUGE_BYTES} /dev/urandom > out/data.bin
    artifacts:
      out: [{ name: huge, path: out }]
`;

/** In the page: every Blob made from a response or turned into an object URL, and every fetched URL. */
const WATCH_MEMORY = `(() => {
  const seen = (window.__seen = { blobs: 0, objectUrls: 0, fetched: [] });
  const blob = Response.prototype.blob;
  Response.prototype.blob = function () { seen.blobs++; return blob.call(this); };
  const arrayBuffer = Response.prototype.arrayBuffer;
  Response.prototype.arrayBuffer = function () { seen.blobs++; return arrayBuffer.call(this); };
  const objectUrl = URL.createObjectURL;
  URL.createObjectURL = function (o) { seen.objectUrls++; return objectUrl.call(URL, o); };
  const f = window.fetch;
  window.fetch = function (input, init) { seen.fetched.push(String(input.url ?? input)); return f.call(this, input, init); };
})()`;

describe('a large artifact', () => {
  let runId: string;
  let artifact: { name: string; digest: string; size: number };
  const linkPath = () => `/api/v1/projects/${project}/runs/${runId}/artifacts/huge/link`;

  beforeAll(async () => {
    await createPipeline(stack, project, hugePipeline);
    runId = (await trigger(stack, project, 'huge')).id;
    expect((await waitForRun(stack, project, runId, 180_000)).status).toBe('succeeded');
    const listed = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}/artifacts`);
    artifact = ((await listed.json()) as { items: Array<typeof artifact> }).items[0]!;
    expect(artifact.size).toBeGreaterThan(HUGE_BYTES);
  });

  it('is downloaded by the browser from a plain link (no credential on it), never held in the page', async () => {
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await page.addInitScript(WATCH_MEMORY);
    const requests: Array<{ url: string; authorization?: string }> = [];
    page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers().authorization }));
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${runId}`);
    const button = page.getByRole('button', { name: 'Download huge.tar.gz' });
    await button.waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('huge.tar.gz');
    const file = await download.path();
    expect(fs.statSync(file).size).toBe(artifact.size);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(artifact.digest).toContain(sha);

    const seen = (await page.evaluate('window.__seen')) as {
      blobs: number;
      objectUrls: number;
      fetched: string[];
    };
    expect({ blobs: seen.blobs, objectUrls: seen.objectUrls }).toEqual({ blobs: 0, objectUrls: 0 });
    // the page only asked for the link; the bytes came through the browser's own download
    expect(seen.fetched.filter((u) => u.includes('/artifacts/huge'))).toEqual([
      `/api/v1/projects/${project}/runs/${runId}/artifacts/huge/link`,
    ]);
    // the browser followed the signed link itself: a URL that needs no header
    expect(new URL(download.url()).pathname).toMatch(/^\/api\/v1\/dockyard\/downloads\/cods_[\w-]+\.[\w-]+$/);
    const api = requests.filter((r) => r.url.includes('/api/v1/') && r.authorization !== undefined);
    expect(api.every((r) => !r.url.includes('/dockyard/downloads/'))).toBe(true);
  });

  it('a link is issued only to a caller who may read the project, and works without one until it expires', async () => {
    expect((await stack.request('POST', linkPath(), undefined, { token: null })).status).toBe(401);
    expect((await stack.request('POST', linkPath(), undefined, { token: 'nope' })).status).toBe(401);
    const missing = linkPath().replace('/huge/link', '/nothing/link');
    expect((await stack.request('POST', missing)).status).toBe(404);

    const issued = await stack.request('POST', linkPath());
    expect(issued.status).toBe(201);
    const { url, expiresAt } = (await issued.json()) as { url: string; expiresAt: string };
    const minutes = (Date.parse(expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(1);
    expect(minutes).toBeLessThanOrEqual(5);
    const head = await fetch(`${stack.url}${url}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toBe('attachment; filename="huge.tar.gz"');
    expect(Number(head.headers.get('content-length'))).toBe(artifact.size);
    const ranged = await fetch(`${stack.url}${url}`, { headers: { range: 'bytes=0-9' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(10);

    // a link is no credential anywhere else
    const token = url.split('/').pop()!;
    const asBearer = await stack.request(
      'GET',
      `/api/v1/projects/${project}/runs/${runId}/artifacts/huge`,
      undefined,
      {
        token,
      },
    );
    expect(asBearer.status).toBe(401);
  });

  it('a forged, altered or expired link is refused with 401', async () => {
    const { url } = (await (await stack.request('POST', linkPath())).json()) as { url: string };
    const token = url.split('/').pop()!;
    const [body, sig] = token.slice('cods_'.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const key = signingKey(stack.config);
    const expired = signToken(key, { ...claims, exp: Date.now() - 1000 } as never);
    const otherName = Buffer.from(JSON.stringify({ ...claims, name: 'site' })).toString('base64url');
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      expired,
      `cods_${otherName}.${sig}`,
      `cods_${body}.${flipped}`,
      signToken(crypto.randomBytes(32), claims as never),
      'not-a-token',
    ]) {
      const res = await fetch(`${stack.url}/api/v1/dockyard/downloads/${bad}`);
      expect([bad.slice(0, 12), res.status]).toEqual([bad.slice(0, 12), 401]);
    }
  });
});
