import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, waitForStep } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';
import { createUserWithToken, grant } from '../crew/actors';

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

/** How far the page is wider than the screen, in CSS pixels (evaluated in the browser). */
const OVERFLOW = 'document.documentElement.scrollWidth - window.innerWidth';

const buildPipeline = `apiVersion: containerops/v1
kind: Pipeline
name: web-app
steps:
  - id: compile
    run: |
      echo "compiling web-app"
      echo "artifact=web-app-1.0.tgz" >> "$CO_OUTPUTS"
  - id: unit-tests
    needs: [compile]
    matrix: { node: ["20", "22"] }
    run: echo "42 tests passed on node \${{ matrix.node }}"
  - id: lint
    needs: [compile]
    run: echo "lint is clean"
  - id: optional-check
    needs: [compile]
    if: 'params.strict == "yes"'
    run: echo never
params:
  - { name: strict, default: "no" }
`;

const releasePipeline = `apiVersion: containerops/v1
kind: Pipeline
name: release
steps:
  - id: build
    run: echo "version=1.2.3" >> "$CO_OUTPUTS"
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
  - id: ship
    needs: [gate]
    run: echo "shipping \${{ steps.build.outputs.version }}"
`;

describe('the run page', () => {
  it('signs in with a token, shows every step of a finished run with its status, and a step log', async () => {
    await createPipeline(stack, project, buildPipeline);
    const started = await trigger(stack, project, 'web-app');
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    // a deep link before signing in leads to the sign-in form, then back to the run
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${run.id}`);
    await page.getByRole('heading', { name: 'web-app #1' }).waitFor();

    const steps = page.getByRole('navigation', { name: 'Steps' });
    for (const [id, status] of [
      ['compile', 'succeeded'],
      ['unit-tests', 'succeeded'],
      ['lint', 'succeeded'],
      ['optional-check', 'skipped'],
    ]) {
      await steps.locator(`button[data-step="${id}"] [data-status="${status}"]`).waitFor();
      await page.locator(`.react-flow__node [data-step="${id}"][data-status="${status}"]`).waitFor();
    }
    await page.locator('.run-head [data-status="succeeded"]').waitFor();

    // a matrix step: one node with its legs counted, one button per leg in the panel
    await page.locator('.react-flow__node [data-step="unit-tests"]').getByText('2/2 legs').waitFor();
    await steps.locator('button[data-step="unit-tests"]').click();
    await page.getByRole('heading', { name: 'unit-tests' }).waitFor();
    const legs = page.getByRole('group', { name: 'Matrix legs' });
    await legs.getByRole('button', { name: 'node=20 · succeeded' }).waitFor();
    await page.getByLabel('Step log').getByText('42 tests passed on node 20').waitFor();
    await legs.getByRole('button', { name: 'node=22 · succeeded' }).click();
    await page.getByLabel('Step log').getByText('42 tests passed on node 22').waitFor();

    // clicking a node on the graph selects the step too; its outputs are listed
    await page.locator('.react-flow__node [data-step="compile"]').click();
    await page.getByLabel('Step log').getByText('compiling web-app').waitFor();
    await page.getByRole('cell', { name: 'web-app-1.0.tgz' }).waitFor();
    await screenshot(page, 'run-finished');
    expect(await page.getByRole('link', { name: /Temporal UI/ }).getAttribute('href')).toBe(
      run.links.temporal,
    );
    // the readable Temporal workflow id: project, pipeline, run number, 8 hex of the run id
    const workflowId = page.getByTitle('Temporal workflow id');
    expect(await workflowId.textContent()).toBe(run.workflowId);
    expect(run.workflowId).toMatch(new RegExp(`^${project}\\.web-app\\.1-[0-9a-f]{8}$`));
    expect(run.links.temporal).toContain(`/workflows/${run.workflowId}`);

    // a reload of the deep link keeps the page (and the session)
    await page.reload();
    await page.getByRole('heading', { name: 'web-app #1' }).waitFor();
  });

  it('approves a waiting run from its page and sees it finish', async () => {
    await createPipeline(stack, project, releasePipeline);
    const started = await trigger(stack, project, 'release');
    await waitForStep(stack, project, started.id, 'gate', 'waiting');

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN);
    await screenshot(page, 'projects');
    await page.getByRole('link', { name: project }).click();
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('link', { name: 'release #1' }).click();
    await page.locator('.run-head [data-status="waiting"]').waitFor();

    // the waiting step is selected on its own
    await page.getByRole('heading', { name: 'gate' }).waitFor();
    await screenshot(page, 'run-waiting');
    await page.getByLabel('Comment').fill('looks good');
    await page.getByRole('button', { name: 'Approve' }).click();

    // live updates (the run events stream) carry the page to the end without a reload
    await page.locator('.run-head [data-status="succeeded"]').waitFor();
    await page.locator('.react-flow__node [data-step="ship"][data-status="succeeded"]').waitFor();
    // the panel followed the run on; the gate keeps the decision
    await page.getByRole('navigation', { name: 'Steps' }).locator('button[data-step="gate"]').click();
    await page.getByText('approve by admin').waitFor();
    await page.getByText('looks good').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
  });

  it('works on a phone-sized screen and with the keyboard alone', async () => {
    await createPipeline(stack, project, buildPipeline.replace('name: web-app', 'name: mobile-app'));
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'mobile-app')).id);
    ui = await openPage(browser, stack.url, { width: 390, height: 844 });
    const { page } = ui;

    // sign in with the keyboard: the token field has focus, Enter submits
    await page.goto(`/projects/${project}/runs/${run.id}`);
    const field = page.getByLabel('API token');
    await field.waitFor();
    expect(await field.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'mobile-app #1' }).waitFor();
    await page.locator('.run-head [data-status="succeeded"]').waitFor();

    // Tab reaches a step button; Enter opens that step and its log
    const lint = page.getByRole('navigation', { name: 'Steps' }).locator('button[data-step="lint"]');
    for (let i = 0; i < 60 && !(await lint.evaluate((el) => el === el.ownerDocument.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    expect(await lint.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'lint', exact: true }).waitFor();
    await page.getByLabel('Step log').getByText('lint is clean').waitFor();

    // nothing is wider than the screen
    const overflow = await page.evaluate<number>(OVERFLOW);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'run-phone');
    await page.goto(`/projects/${project}/pipelines`);
    await page.getByRole('link', { name: 'mobile-app' }).waitFor();
    expect(await page.evaluate<number>(OVERFLOW)).toBeLessThanOrEqual(0);
  });

  it('shows a viewer no approve, cancel or rerun buttons', async () => {
    await createPipeline(stack, project, releasePipeline.replace('name: release', 'name: release-two'));
    const waitingRun = await trigger(stack, project, 'release-two');
    await waitForStep(stack, project, waitingRun.id, 'gate', 'waiting');
    const failing = `apiVersion: containerops/v1
kind: Pipeline
name: broken
steps:
  - id: explode
    run: echo "about to fail" && exit 3
`;
    await createPipeline(stack, project, failing);
    const failedRun = await waitForRun(stack, project, (await trigger(stack, project, 'broken')).id);
    expect(failedRun.status).toBe('failed');

    const viewer = await createUserWithToken(stack);
    expect((await grant(stack, project, viewer.name, 'viewer')).status).toBeLessThan(300);

    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, viewer.token);

    await page.goto(`/projects/${project}/runs/${waitingRun.id}`);
    await page.getByRole('heading', { name: 'gate' }).waitFor();
    await page.getByText(/Waiting for approval/).waitFor();
    for (const name of ['Approve', 'Reject', 'Cancel run', 'Rerun from failed']) {
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    }

    await page.goto(`/projects/${project}/runs/${failedRun.id}`);
    await page.locator('.run-head [data-status="failed"]').waitFor();
    await page.getByLabel('Step log').getByText('about to fail').waitFor();
    expect(await page.getByRole('button', { name: 'Rerun from failed' }).count()).toBe(0);

    // a developer sees the buttons on the same pages
    const developer = await createUserWithToken(stack);
    await grant(stack, project, developer.name, 'developer');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, developer.token, `/projects/${project}/runs/${failedRun.id}`);
    await page.getByRole('button', { name: 'Rerun from failed' }).waitFor();
    await page.goto(`/projects/${project}/runs/${waitingRun.id}`);
    await page.getByRole('button', { name: 'Cancel run' }).waitFor();
    await page.getByRole('button', { name: 'Approve' }).waitFor();
  });
});
