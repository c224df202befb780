import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(120_000);

let stack: Stack;
let browser: Browser;
let ui: UiPage | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
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

const pipeline = `apiVersion: containerops/v1
kind: Pipeline
name: nightly
# a comment the editor keeps
steps:
  - id: compile
    run: echo compiled
  - id: test
    needs: [compile]
    run: echo tested
`;

/** Moves the caret to the end of the first editor line containing `text`. */
async function caretAfter(page: Page, text: string): Promise<void> {
  await page.locator('.cm-line', { hasText: text }).first().click();
  await page.keyboard.press('End');
}

describe('the pipeline editor', () => {
  it('shows an invalid edit at its line and refuses to save it', async () => {
    const project = await createProject(stack);
    await createPipeline(stack, project, pipeline);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/nightly`);
    await page.getByTestId('validity').getByText('Valid').waitFor();
    await page.locator('.react-flow__node[data-id="test"]').waitFor();

    // `needs: [compile]` (line 9) becomes `needs: [compile, deploy]`: deploy is no step
    await caretAfter(page, 'needs: [compile]');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(', deploy');
    await page.getByTestId('validity').getByText('1 error').waitFor();
    const error = page.getByRole('list', { name: 'Errors' }).getByRole('listitem');
    await error.getByText('line 9').waitFor();
    expect(await error.textContent()).toContain('deploy');
    // the editor marks that line
    const marked = page.locator('.cm-line', { has: page.locator('.cm-lintRange-error') });
    expect(await marked.textContent()).toContain('needs: [compile, deploy]');
    await page.locator('.cm-gutter-lint .cm-lint-marker-error').waitFor();
    await screenshot(page, 'editor-error');
    const save = page.getByRole('button', { name: 'Save new version' });
    expect(await save.isDisabled()).toBe(true);

    // fixing the text makes it savable again; the saved version keeps the comment
    for (let i = 0; i < ', deploy'.length; i++) await page.keyboard.press('Backspace');
    await page.getByTestId('validity').getByText('Valid').waitFor();
    expect(await save.isDisabled()).toBe(true); // nothing changed
    const versions = await stack.request('GET', `/api/v1/projects/${project}/pipelines/nightly/versions`);
    expect(((await versions.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('drawing an edge adds a need, keeps comments, saves a new version and shows its diff', async () => {
    const project = await createProject(stack);
    await createPipeline(stack, project, pipeline.replace('    needs: [compile]\n', ''));
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/nightly`);
    await page.locator('.react-flow__node[data-id="test"]').waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(0);

    await connect(page, 'compile', 'test');
    await page.locator('.react-flow__edge[data-id="compile->test"]').waitFor({ state: 'attached' });
    await page.locator('.cm-line', { hasText: 'needs: [compile]' }).waitFor();
    await page.locator('.cm-line', { hasText: '# a comment the editor keeps' }).waitFor();
    await page.getByTestId('validity').getByText('Valid').waitFor();
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByRole('heading', { name: 'nightly v2' }).waitFor();

    await page.getByRole('tab', { name: 'History' }).click();
    await page
      .getByRole('region', { name: 'Version history' })
      .getByRole('button', { name: /^v1 / })
      .waitFor();
    const diff = page.getByLabel('Diff of version 2');
    await diff.locator('.diff-add', { hasText: 'needs' }).waitFor();
  });

  it('lists every schema error at once', async () => {
    const project = await createProject(stack);
    await createPipeline(stack, project, pipeline);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/nightly`);
    await page.getByTestId('validity').getByText('Valid').waitFor();
    // `run:` becomes `runn:` in both steps: two unknown keys, each reported at its own line
    for (const text of ['run: echo compiled', 'run: echo tested']) {
      await page.locator('.cm-line', { hasText: text }).first().click();
      await page.keyboard.press('Home');
      await page.keyboard.press('End');
      for (let i = 0; i < text.length - 3; i++) await page.keyboard.press('ArrowLeft');
      await page.keyboard.type('n');
    }
    const errors = page.getByRole('list', { name: 'Errors' }).getByRole('listitem');
    await errors.filter({ hasText: 'steps[1]' }).first().waitFor();
    const texts = await errors.allTextContents();
    expect(texts.some((t) => t.includes('line 7') && t.includes('runn'))).toBe(true);
    expect(texts.some((t) => t.includes('line 10') && t.includes('runn'))).toBe(true);
    await screenshot(page, 'editor-all-errors');
  });

  it('changes only the field the user edits, and adds a plain script step from the palette', async () => {
    const project = await createProject(stack);
    const source = `apiVersion: containerops/v1
kind: Pipeline
name: tidy
steps:
  - id: build
    run: |
        echo "indented my way"
          echo "and deeper"
  - id: fetch
    uses: git-clone@1
    with:
      url: https://example.org/a.git   # keep this comment
`;
    await createPipeline(stack, project, source);
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/pipelines/tidy`);
    await page.locator('.react-flow__node[data-id="fetch"]').click();
    const url = page.getByRole('form', { name: 'Inputs of fetch' }).getByLabel(/^url/);
    await url.fill('https://example.org/b.git');
    await url.press('Enter');
    await page.getByTestId('validity').getByText('Valid').waitFor();
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByRole('heading', { name: 'tidy v2' }).waitFor();
    const saved = await stack.request('GET', `/api/v1/projects/${project}/pipelines/tidy`);
    const { source: text } = (await saved.json()) as { source: string };
    expect(text).toBe(source.replace('a.git', 'b.git'));

    // the palette's script step adds a `run:` step
    await page.getByRole('button', { name: /^Script step/ }).click();
    await page.locator('.react-flow__node[data-id="script"]').waitFor();
    await page.locator('.cm-line', { hasText: 'run: echo "hello from script"' }).waitFor();
    await page.getByTestId('validity').getByText('Valid').waitFor();
  });
});

/** Drags from one step's output handle to another step's input handle, as a user draws an edge. */
async function connect(page: Page, from: string, to: string): Promise<void> {
  const source = page.locator(`.react-flow__node[data-id="${from}"] .react-flow__handle.source`);
  const target = page.locator(`.react-flow__node[data-id="${to}"] .react-flow__handle.target`);
  const a = (await source.boundingBox())!;
  const b = (await target.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}
