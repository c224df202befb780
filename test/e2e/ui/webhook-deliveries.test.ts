import crypto from 'node:crypto';
import type { Browser } from 'playwright-core';
import { DELIVERIES_KEPT } from '../../../api/triggers/hook-deliveries';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(240_000);

const SECRET = 'a-signing-secret-for-deliveries';
let stack: Stack;
let browser: Browser;
let project: string;
let ui: UiPage | undefined;

beforeAll(async () => {
  // no worker: a delivery only has to create (or not create) a run
  [stack, browser] = await Promise.all([startStack({ worker: false }), launchBrowser()]);
  project = await createProject(stack);
  await createPipeline(
    stack,
    project,
    'apiVersion: containerops/v1\nkind: Pipeline\nname: hooked\non:\n  push: { branches: [main] }\nsteps:\n  - id: a\n    run: "true"\n',
  );
  const put = await stack.request('PUT', `/api/v1/projects/${project}/pipelines/hooked/hook`, {
    provider: 'github',
    secret: SECRET,
  });
  expect(put.status).toBe(200);
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

const push = (branch: string, sha: string) =>
  JSON.stringify({ ref: `refs/heads/${branch}`, after: sha, repository: { full_name: 'acme/app' } });

async function deliver(body: string, opts: { secret?: string; event?: string; delivery?: string } = {}) {
  const signature = crypto
    .createHmac('sha256', opts.secret ?? SECRET)
    .update(body)
    .digest('hex');
  const res = await stack.request('POST', `/api/v1/hooks/${project}/hooked`, body, {
    token: null,
    headers: {
      'content-type': 'application/json',
      'x-github-event': opts.event ?? 'push',
      'x-hub-signature-256': `sha256=${signature}`,
      ...(opts.delivery ? { 'x-github-delivery': opts.delivery } : {}),
    },
  });
  return res.status;
}

interface Delivery {
  status: number;
  outcome: string;
  reason: string;
  event: string | null;
  headers: Record<string, string>;
  body: { bytes: number; digest: string; excerpt: string };
  runId: string | null;
}
const deliveries = async () =>
  (
    (await (
      await stack.request('GET', `/api/v1/projects/${project}/pipelines/hooked/hook/deliveries`)
    ).json()) as {
      items: Delivery[];
    }
  ).items;

describe("a webhook's deliveries", () => {
  it('are kept accepted and rejected, each with its reason, without a signature or the whole body', async () => {
    const triggered = push('main', '1'.repeat(40));
    expect(await deliver(triggered, { delivery: 'd-1' })).toBe(201);
    expect(await deliver(triggered, { delivery: 'd-2' })).toBe(202); // the same body again
    expect(await deliver(push('feature', '2'.repeat(40)))).toBe(202); // filtered out by on: branches
    expect(await deliver(push('main', '3'.repeat(40)), { secret: 'not-the-secret-at-all' })).toBe(401);
    expect(await deliver('{not json')).toBe(400);

    const items = await deliveries();
    expect(items.map((d) => [d.status, d.outcome])).toEqual([
      [400, 'rejected'],
      [401, 'rejected'],
      [202, 'ignored'],
      [202, 'ignored'],
      [201, 'triggered'],
    ]);
    expect(items[0]!.reason).toMatch(/not JSON/);
    expect(items[1]!.reason).toMatch(/not signed with this hook/);
    expect(items[2]!.reason).toMatch(/feature/);
    expect(items[3]!.reason).toMatch(/^body replay/);
    expect(items[4]!.runId).toEqual(expect.any(String));
    expect(items[4]!.event).toBe('push');
    for (const d of items) {
      expect(Object.keys(d.headers).filter((h) => /signature/i.test(h))).toEqual([]);
      expect(d.headers['x-github-event']).toBe('push');
    }
    expect(items[4]!.body.digest).toBe(
      `sha256:${crypto.createHash('sha256').update(triggered).digest('hex')}`,
    );
    expect(JSON.stringify(items)).not.toContain(SECRET);
  });

  it(`keeps the newest ${DELIVERIES_KEPT} per pipeline, each body cut to an excerpt`, async () => {
    const big = JSON.stringify({ ref: 'refs/heads/other', filler: 'x'.repeat(5000) });
    for (let i = 0; i < DELIVERIES_KEPT + 5; i++)
      expect(await deliver(big, { event: 'ping' })).toBeLessThan(500);
    const items = await deliveries();
    expect(items).toHaveLength(DELIVERIES_KEPT);
    expect(items.every((d) => d.event === 'ping')).toBe(true);
    expect(items[0]!.body.bytes).toBe(big.length);
    expect(items[0]!.body.excerpt.length).toBeLessThanOrEqual(512);
  });

  it("shows them on the pipeline's triggers page with status and reason", async () => {
    expect(await deliver(push('main', '4'.repeat(40)), { secret: 'a-forged-secret-value' })).toBe(401);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/hooked`);
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const table = page.getByRole('table', { name: 'Webhook deliveries' });
    const newest = table.locator('tbody tr').first();
    await newest.getByText('not signed with this hook').waitFor();
    expect(await newest.getAttribute('data-outcome')).toBe('rejected');
    expect(await newest.getByRole('cell').nth(2).textContent()).toBe('401');
    await newest.getByText('Request').click();
    await newest.getByText(/x-github-event: push/).waitFor();
    expect(await newest.textContent()).not.toMatch(/x-hub-signature/);
    await screenshot(page, 'webhook-deliveries');
  });
});
