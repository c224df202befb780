import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(180_000);

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
  // the 422 of the first, incomplete submit is expected; nothing else may reach the console
  expect(problems.filter((p) => !p.includes('422'))).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const RELEASE = fs.readFileSync(path.resolve(__dirname, '../../../examples/release-approval.yaml'), 'utf8');

describe('the params form', () => {
  it('runs examples/release-approval.yaml from the UI with its params, shows them, and runs again with changed ones', async () => {
    await createPipeline(stack, project, RELEASE);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/release`);
    await page.getByRole('button', { name: 'Run…' }).click();

    const dialog = page.getByRole('dialog', { name: 'Run release' });
    // one field per declared param: the required one marked, defaults filled in, descriptions shown
    const version = dialog.getByLabel(/^version/);
    expect(await version.getAttribute('required')).not.toBeNull();
    expect(await dialog.getByLabel('dryRun').inputValue()).toBe('false');
    await dialog.getByText('Semantic version to release, e.g. 1.4.0').waitFor();
    await screenshot(page, 'run-params-form');

    // submitting without the required param names the field, not "YAML line 1"
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await dialog.locator('#param-version-error').getByText('is required').waitFor();
    expect(await version.getAttribute('aria-invalid')).toBe('true');

    await version.fill('1.4.0');
    await dialog.getByLabel('dryRun').selectOption('true');
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: 'release #1' }).waitFor();

    // the run page shows the params the run got, defaults included
    const params = page.getByRole('region', { name: 'Params' });
    await params.locator('dt', { hasText: 'version' }).waitFor();
    expect(await params.locator('dd').allTextContents()).toEqual([
      '1.4.0',
      '(empty)',
      '(empty)',
      'true',
      '(empty)',
    ]);
    await page.locator('.run-head [data-status="succeeded"]').waitFor({ timeout: 90_000 });
    await screenshot(page, 'run-params-shown');

    // "Run again…" opens the same form prefilled with this run's params
    await page.getByRole('button', { name: 'Run again…' }).click();
    const again = page.getByRole('dialog', { name: 'Run release' });
    expect(await again.getByLabel(/^version/).inputValue()).toBe('1.4.0');
    expect(await again.getByLabel('dryRun').inputValue()).toBe('true');
    await again.getByLabel(/^version/).fill('1.4.1');
    await again.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: 'release #2' }).waitFor();
    await page.getByRole('region', { name: 'Params' }).locator('dd', { hasText: '1.4.1' }).waitFor();

    const res = await stack.request('GET', `/api/v1/projects/${project}/runs?pipeline=release`);
    const runs = (await res.json()) as { items: { params: Record<string, string> }[] };
    expect(runs.items.map((r) => r.params.version)).toEqual(['1.4.1', '1.4.0']);
  });
});
