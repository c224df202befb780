import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(120_000);

const KILL_GRACE_MS = 1000;
let stack: Stack;
let browser: Browser;
let project: string;
let ui: UiPage | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({ config: { CO_STEP_KILL_GRACE_MS: String(KILL_GRACE_MS) } }),
    launchBrowser(),
  ]);
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

// the step ignores SIGTERM: only the kill after the grace stops it (the slowest case)
const stubborn = `apiVersion: containerops/v1
kind: Pipeline
name: stubborn
steps:
  - id: loop
    run: |
      trap '' TERM
      i=0
      while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done
  - id: after
    needs: [loop]
    run: echo never
`;

/** In the page: when Cancel was clicked and when the "cancelling" badge first showed (performance.now()). */
const WATCH_CANCEL = `(() => {
  const t = (window.__cancel = {});
  document.addEventListener('click', (e) => {
    if (e.target.closest('button')?.textContent === 'Cancel run') t.click ??= performance.now();
  }, true);
  new MutationObserver(() => {
    if (t.shown === undefined && document.querySelector('.run-head [data-status="cancelling"]')) t.shown = performance.now();
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
})()`;

const gated = `apiVersion: containerops/v1
kind: Pipeline
name: gated
steps:
  - id: build
    run: |
      echo "building"
      while [ ! -f "$CO_WORKSPACE/go" ]; do sleep 0.1; done
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: |
      echo "shipping"
      while [ ! -f "$CO_WORKSPACE/shipped" ]; do sleep 0.1; done
`;

describe('the run banner and the step panel', () => {
  it('follows the run from step to step until the user picks one, and offers the approval without a click on the gate', async () => {
    await createPipeline(stack, project, gated);
    const started = await trigger(stack, project, 'gated');
    const workspace = path.join(stack.config.dataDir, 'workspaces', started.id);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    const panelTitle = page.locator('#step-title');
    await page.getByRole('log', { name: 'Step log' }).getByText('building').waitFor();
    expect(await panelTitle.textContent()).toBe('build');

    // build finishes: the panel moves to the gate on its own, the banner says who must decide
    fs.writeFileSync(path.join(workspace, 'go'), '');
    await page.locator('#step-title', { hasText: 'gate' }).waitFor();
    await page.getByText('gate waits for approval by user:admin').waitFor();
    const approval = page.getByRole('form', { name: 'Approval of gate' });
    await approval.getByRole('button', { name: 'Approve' }).waitFor();
    await screenshot(page, 'run-banner-waiting');

    // the user picks build: approving moves the run on, the panel stays where the user put it
    await page.getByRole('navigation', { name: 'Steps' }).locator('button[data-step="build"]').click();
    await approval.getByLabel('Comment').fill('ship it');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Running ship.').waitFor();
    expect(await panelTitle.textContent()).toBe('build');
    expect(await page.getByRole('form', { name: 'Approval of gate' }).count()).toBe(0);
    fs.writeFileSync(path.join(workspace, 'shipped'), '');
    await page.locator('.run-head [data-status="succeeded"]').waitFor();
    await page.getByRole('button', { name: 'Run again…' }).waitFor();
  });

  it('shows "cancelling" at once and the run is cancelled within the kill grace plus 2 s', async () => {
    await createPipeline(stack, project, stubborn);
    const started = await trigger(stack, project, 'stubborn');
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    await page.getByRole('log', { name: 'Step log' }).getByText('tick 3', { exact: true }).waitFor();
    // the banner says what runs
    await page.getByText('Running loop.').waitFor();

    await page.evaluate(WATCH_CANCEL);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('.run-head [data-status="cancelling"]').waitFor();
    await page.getByText('Cancelling: running steps are being stopped').waitFor();
    await screenshot(page, 'run-cancelling');
    const t = await page.evaluate<{ click: number; shown: number }>('window.__cancel');
    expect(t.shown - t.click).toBeLessThan(300);

    await page.locator('.run-head [data-status="cancelled"]').waitFor();
    await page.locator('button[data-step="loop"] [data-status="cancelled"]').waitFor();

    // measured by the server: from the accepted cancel (its audit event) to the run's end
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('cancelled');
    const audit = (await (await stack.request('GET', `/api/v1/projects/${project}/audit`)).json()) as {
      items: { action: string; at: string }[];
    };
    const cancel = audit.items.find((e) => e.action === 'run.cancelled')!;
    const finishedAt = Date.parse((run as unknown as { finishedAt: string }).finishedAt);
    const took = finishedAt - Date.parse(cancel.at);
    console.log(`cancel accepted -> run cancelled: ${took} ms (kill grace ${KILL_GRACE_MS} ms)`);
    expect(took).toBeLessThanOrEqual(KILL_GRACE_MS + 2000);
    // and the step stopped logging when it was killed
    const step = run.steps.find((s) => s.id === 'loop')!;
    const log = await (
      await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/loop/logs?timestamps=1`)
    ).text();
    const lastLineAt = Date.parse(log.trimEnd().split('\n').pop()!.split(' ')[0]!);
    expect(lastLineAt).toBeLessThanOrEqual(Date.parse(step.finishedAt!));
  });
});
