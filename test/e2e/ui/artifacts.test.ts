import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(120_000);

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
  it('downloads a step artifact with the signed-in session (no 401), as the packed tar.gz', async () => {
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
