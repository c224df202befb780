import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(150_000);

let stack: Stack;
let browser: Browser;
let ui: UiPage | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  stack = await startStack();
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

const shout = `apiVersion: containerops/v1
kind: Component
name: shout
version: 1.0.0
description: Prints a word in capitals
run: |
  echo "$INPUT_WORD" | tr a-z A-Z
  echo "loud=$(echo "$INPUT_WORD" | tr a-z A-Z)" >> "$CO_OUTPUTS"
inputs:
  - { name: word, type: string, required: true, description: The word to shout }
  - { name: times, type: integer, default: 1 }
outputs:
  - { name: loud }
`;

async function drawEdge(page: Page, from: string, to: string): Promise<void> {
  const a = (await page
    .locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`)
    .boundingBox())!;
  const b = (await page
    .locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`)
    .boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function fillInput(page: Page, step: string, input: string, value: string): Promise<void> {
  await page.locator(`.react-flow__node[data-id="${step}"]`).click();
  await page.getByRole('heading', { name: `Step ${step}` }).waitFor();
  const field = page.getByRole('form', { name: `Inputs of ${step}` }).getByLabel(new RegExp(`^${input}`));
  await field.fill(value);
  await field.press('Enter');
  await page.locator('.cm-line', { hasText: `${input}: ${value}` }).waitFor();
}

describe('building a pipeline on the canvas', () => {
  it('drags two components onto the canvas, connects them, fills the required inputs, saves, runs and succeeds', async () => {
    expect((await stack.request('POST', '/api/v1/components', shout)).status).toBeLessThan(300);
    const project = await createProject(stack);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines`);
    await page.getByRole('link', { name: 'New pipeline' }).click();

    const canvas = page.getByTestId('canvas');
    const item = page.locator('.palette-item[data-component="shout"]');
    await item.dragTo(canvas);
    await page.locator('.react-flow__node[data-id="shout"]').waitFor();
    await item.dragTo(canvas);
    await page.locator('.react-flow__node[data-id="shout-2"]').waitFor();
    await page.locator('.cm-line', { hasText: 'uses: shout@1' }).first().waitFor();

    // the required input is missing: the validator says so at the step's line, Save is refused
    await page.getByTestId('validity').getByText(/error/).waitFor();
    expect(await page.getByRole('button', { name: 'Save pipeline' }).isDisabled()).toBe(true);

    await drawEdge(page, 'shout', 'shout-2');
    await page.locator('.cm-line', { hasText: 'needs: [shout]' }).waitFor();
    await fillInput(page, 'shout', 'word', 'hello');
    await fillInput(page, 'shout-2', 'word', 'world');
    await page.getByTestId('validity').getByText('Valid').waitFor();
    await screenshot(page, 'editor-built');

    await page.getByRole('button', { name: 'Save pipeline' }).click();
    await page.getByRole('heading', { name: 'my-pipeline v1' }).waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    await page.getByRole('heading', { name: 'my-pipeline #1' }).waitFor();
    await page.locator('.run-head [data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.getByRole('navigation', { name: 'Steps' }).locator('button[data-step="shout-2"]').click();
    await page.getByLabel('Step log').getByText('WORLD').waitFor();
    await page.getByRole('cell', { name: 'WORLD' }).waitFor();

    const saved = await stack.request('GET', `/api/v1/projects/${project}/pipelines/my-pipeline`);
    const body = (await saved.json()) as { plan: { nodes: { id: string; needs: string[] }[] } };
    expect(body.plan.nodes.map((n) => [n.id, n.needs])).toEqual([
      ['shout', []],
      ['shout-2', ['shout']],
    ]);
  });
});
