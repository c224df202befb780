import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
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
  expect(problems).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const LINES = 12_000;
const buildPipeline = `apiVersion: containerops/v1
kind: Pipeline
name: noisy
steps:
  - id: build
    run: |
      printf '\\033[32mPASS\\033[0m unit tests\\n'
      echo "::group::Install deps"
      for i in 1 2 3 4 5; do echo "installing dep $i"; done
      echo "::endgroup::"
      echo "see https://example.org/build/42 for details"
      seq 1 ${LINES} | sed 's/^/line /'
      echo "needle at the end"
`;

describe('the step log', () => {
  it('shows colours, folds groups, links URLs and lines, searches, shows timestamps and downloads raw, over 12,000 lines', async () => {
    await createPipeline(stack, project, buildPipeline);
    const started = await trigger(stack, project, 'noisy');
    expect((await waitForRun(stack, project, started.id)).status).toBe('succeeded');

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    const log = page.getByRole('log', { name: 'Step log' });
    const total = LINES + 10;
    await page.getByText(`Complete · ${total} lines`).waitFor();

    // only the rows in view are in the page, however long the log
    expect(await log.locator('.log-row').count()).toBeLessThan(200);

    // search jumps to the match at the far end and counts it
    await page.getByLabel('Search the log').fill('needle');
    await page.getByText('1 of 1').waitFor();
    const needle = log.locator('.log-row.marked', { hasText: 'needle at the end' });
    await needle.waitFor();
    expect(await needle.locator('mark').textContent()).toBe('needle');
    await page.getByLabel('Search the log').fill('');

    // back at the top: colours instead of escape codes
    await log.evaluate((el) => (el.scrollTop = 0));
    const pass = log.getByText('PASS', { exact: true });
    expect(await pass.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).color)).toBe(
      'rgb(140, 194, 101)',
    );
    expect(await log.locator('.log-row[data-line="1"]').textContent()).toBe('1PASS unit tests');

    // a ::group:: is folded until opened
    const group = log.getByRole('button', { name: 'Install deps' });
    expect(await group.getAttribute('aria-expanded')).toBe('false');
    expect(await log.getByText('installing dep 3').count()).toBe(0);
    await group.click();
    await log.getByText('installing dep 3').waitFor();
    expect(await log.getByText('::endgroup::').count()).toBe(0);

    // URLs are links
    const url = log.getByRole('link', { name: 'https://example.org/build/42' });
    expect(await url.getAttribute('href')).toBe('https://example.org/build/42');

    // timestamps on demand
    await page.getByLabel('Timestamps').check();
    expect(await log.locator('.log-row[data-line="1"] .log-time').textContent()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3}$/,
    );
    await screenshot(page, 'run-log');

    // raw download: the whole text, as the server has it
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download raw log' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('build.log');
    const raw = fs.readFileSync(await download.path(), 'utf8');
    expect(raw).toContain(` line ${LINES}\n`);
    expect(raw.trimEnd().split('\n')).toHaveLength(total);

    // a link to a line survives a reload: the line is scrolled to and marked
    await log.getByRole('link', { name: 'Line 7' }).click();
    expect(new URL(page.url()).search).toBe('?step=build');
    expect(new URL(page.url()).hash).toBe('#L7');
    await page.reload();
    await log.locator('.log-row.marked[data-line="7"]', { hasText: 'installing dep 5' }).waitFor();
  });

  it('follows a running step live', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: slow
steps:
  - id: wait
    run: |
      echo "started"
      while [ ! -f "$CO_WORKSPACE/go" ]; do sleep 0.1; done
      printf '\\033[1;31mfinished\\033[0m\\n'
`,
    );
    const started = await trigger(stack, project, 'slow');
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    const log = page.getByRole('log', { name: 'Step log' });
    await log.getByText('started').waitFor();
    await page.getByText('Live').waitFor();
    fs.writeFileSync(path.join(stack.config.dataDir, 'workspaces', started.id, 'go'), '');
    const finished = log.getByText('finished');
    await finished.waitFor();
    expect(
      await finished.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).fontWeight),
    ).toBe('700');
    await page.getByText('Complete · 2 lines').waitFor();
    expect((await waitForRun(stack, project, started.id)).status).toBe('succeeded');
  });
});
