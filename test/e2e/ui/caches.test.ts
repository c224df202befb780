import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, type RunView } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';
import { createUserWithToken, grant } from '../crew/actors';

jest.setTimeout(180_000);

let stack: Stack;
let browser: Browser;
let project: string;
let ui: UiPage | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  project = await createProject(stack);
  const secret = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
    name: 'MEMO_TOKEN',
    value: 'memo-ui-secret-41c7',
  });
  expect(secret.status).toBe(201);
});
afterEach(async () => {
  // every page the tests open must have run without a console error or an uncaught exception
  const problems = ui?.problems ?? [];
  await ui?.context.close();
  ui = undefined;
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** `deps` saves a step cache; `work` is memoized (a secret in its env) and makes a unique result. */
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: memo-ui
steps:
  - id: deps
    run: mkdir -p deps && echo installed > deps/marker.txt
    cache: { key: deps-ui-v1, paths: [deps] }
  - id: work
    needs: [deps]
    memoize: true
    env: { TOKEN: "\${{ secrets.MEMO_TOKEN }}" }
    run: echo "result=$(date +%s%N)" >> "$CO_OUTPUTS"
`;

async function runById(id: string): Promise<RunView> {
  const run = await waitForRun(stack, project, id);
  expect(run.status).toBe('succeeded');
  return run;
}

const work = (run: RunView) =>
  run.steps.find((s) => s.id === 'work') as unknown as { cached?: boolean; outputs: Record<string, string> };

describe('memoized steps and caches in the UI', () => {
  it('shows a reused step as cached with a link to its run, and "don\'t reuse" runs it again', async () => {
    await createPipeline(stack, project, PIPELINE);
    const first = await runById((await trigger(stack, project, 'memo-ui')).id);
    expect(work(first).cached).toBeFalsy();

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/memo-ui`);
    // no params, but a memoized step: Run asks first whether to reuse cached steps
    await page.getByRole('button', { name: 'Run…' }).click();
    const form = page.getByRole('dialog', { name: 'Run memo-ui' });
    expect(await form.getByLabel(/Don’t reuse cached steps/).isChecked()).toBe(false);
    await form.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: 'memo-ui #2' }).waitFor();
    await page.locator('.run-head [data-status="succeeded"]').waitFor({ timeout: 90_000 });

    // the graph marks the reused step, not the one that ran
    const node = page.locator('.step-node[data-step="work"]');
    await node.locator('.cached-tag').waitFor();
    expect(await page.locator('.step-node[data-step="deps"][data-cached]').count()).toBe(0);
    // and so does the list equivalent of the graph
    await page.locator('.step-list [data-step="work"] .cached-badge').waitFor();
    expect(await page.locator('.step-list [data-step="deps"] .cached-badge').count()).toBe(0);
    await node.click();
    const panel = page.locator('.step-panel');
    await panel.locator('.cached-badge').waitFor();
    const secretRow = panel.locator('.fingerprint tr[data-input="env.TOKEN"]');
    expect(await secretRow.locator('td').textContent()).toBe('secret');
    expect(await panel.locator('.fingerprint tbody tr').count()).toBeGreaterThan(1);
    await screenshot(page, 'run-cached-step');
    await panel.locator('.fingerprint').scrollIntoViewIfNeeded();
    await screenshot(page, 'run-cached-fingerprint');

    // the link leads to the run whose result was reused
    await panel.getByRole('link', { name: 'run #1' }).click();
    await page.getByRole('heading', { name: 'memo-ui #1' }).waitFor();
    expect(page.url()).toContain(`/runs/${first.id}`);

    // "Run again…" with "don't reuse cached steps" runs the memoized step anew
    await page.locator('.run-head [data-status="succeeded"]').waitFor();
    await page.getByRole('button', { name: 'Run again…' }).click();
    const again = page.getByRole('dialog', { name: 'Run memo-ui' });
    await again.getByLabel(/Don’t reuse cached steps/).check();
    await again.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: 'memo-ui #3' }).waitFor();
    await page.locator('.run-head [data-status="succeeded"]').waitFor({ timeout: 90_000 });
    expect(await page.locator('.step-node[data-step="work"][data-cached]').count()).toBe(0);
    const third = await runById(page.url().split('/runs/')[1]!.split(/[?#]/)[0]!);
    expect(work(third).cached).toBeFalsy();
    expect(work(third).outputs.result).not.toBe(work(first).outputs.result);
  });

  it('lists the caches a cache: step saved and deletes one', async () => {
    // a viewer sees the list but no Delete (the role table of contract/roles.ts)
    const viewer = await createUserWithToken(stack);
    expect((await grant(stack, project, viewer.name, 'viewer')).status).toBeLessThan(300);
    ui = await openPage(browser, stack.url);
    await signIn(ui.page, viewer.token, `/projects/${project}/caches`);
    await ui.page.locator('tr[data-cache="deps-ui-v1"]').waitFor();
    expect(await ui.page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(ui.problems).toEqual([]);
    await ui.context.close();

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines`);
    await page.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: 'Caches' }).click();
    const row = page.locator('tr[data-cache="deps-ui-v1"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('main');
    await row.getByRole('link', { name: /^run / }).waitFor();
    await screenshot(page, 'project-caches');

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete deps-ui-v1' }).click();
    await page.getByText('No caches.').waitFor();
    const res = await stack.request('GET', `/api/v1/projects/${project}/caches`);
    expect(((await res.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
