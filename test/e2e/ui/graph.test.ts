import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually, trigger, waitForRun } from '../../support/runs';
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

/** 50 steps: a prepare step, then 7 stages of 7 suites, each suite needing the same suite of the stage before. */
function fiftySteps(): { yaml: string; ids: string[] } {
  const ids = ['prepare-workspace'];
  let yaml = `apiVersion: containerops/v1\nkind: Pipeline\nname: wide\nsteps:\n  - id: prepare-workspace\n    run: "true"\n`;
  for (let stage = 1; stage <= 7; stage++) {
    for (let suite = 1; suite <= 7; suite++) {
      const id = `stage${stage}-integration-suite-${suite}`;
      const need = stage === 1 ? 'prepare-workspace' : `stage${stage - 1}-integration-suite-${suite}`;
      ids.push(id);
      yaml += `  - id: ${id}\n    needs: [${need}]\n    run: "true"\n`;
    }
  }
  return { yaml, ids };
}

interface NodeText {
  step: string;
  fontPx: number;
  clipped: boolean;
}

/** Each node's title as drawn: its font size times the graph's zoom, and whether its text is cut. */
async function nodeTitles(page: Page): Promise<NodeText[]> {
  return page.evaluate<NodeText[]>(`(() => {
    const viewport = document.querySelector('.graph .react-flow__viewport');
    const zoom = new DOMMatrixReadOnly(getComputedStyle(viewport).transform).a;
    return [...document.querySelectorAll('.graph .react-flow__node [data-step]')].map((node) => {
      const title = node.querySelector('.step-node-title');
      return {
        step: node.getAttribute('data-step'),
        fontPx: parseFloat(getComputedStyle(title).fontSize) * zoom,
        clipped: title.scrollWidth > title.clientWidth,
      };
    });
  })()`);
}

describe('the run graph', () => {
  it('keeps all 50 step names legible at 1280x800, with arrows, a minimap, controls off the canvas and a direction switch', async () => {
    const { yaml, ids } = fiftySteps();
    await createPipeline(stack, project, yaml);
    const started = await trigger(stack, project, 'wide');
    expect((await waitForRun(stack, project, started.id)).status).toBe('succeeded');

    ui = await openPage(browser, stack.url, { width: 1280, height: 800 });
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, `/projects/${project}/runs/${started.id}`);
    await page
      .locator('.graph .react-flow__node [data-step="stage7-integration-suite-7"]')
      .waitFor({ state: 'attached' });
    // the first step is in view from the start (a graph too big for the box starts at its beginning)
    await page.locator('.graph .react-flow__node [data-step="prepare-workspace"]').waitFor();
    await screenshot(page, 'graph-50-steps');

    const titles = await nodeTitles(page);
    expect(titles.map((t) => t.step).sort()).toEqual([...ids].sort());
    for (const t of titles) {
      expect({ step: t.step, legible: t.fontPx >= 11, clipped: t.clipped }).toEqual({
        step: t.step,
        legible: true,
        clipped: false,
      });
    }

    // edges end in arrowheads; the minimap shows because the graph is larger than its box
    const edges = page.locator('.graph .react-flow__edge-path');
    expect(await edges.count()).toBe(49);
    expect(await edges.first().getAttribute('marker-end')).toMatch(/^url\(/);
    await page.getByRole('img', { name: /Minimap of the run graph/ }).waitFor();

    // the zoom controls sit above the canvas, not on it
    const toolbar = (await page.getByRole('toolbar', { name: 'Graph controls' }).boundingBox())!;
    const canvas = (await page.getByRole('region', { name: 'Run graph' }).boundingBox())!;
    expect(toolbar.y + toolbar.height).toBeLessThanOrEqual(canvas.y);

    // top to bottom: a step's dependents are drawn below it instead of to its right
    const position = async (step: string) =>
      (await page.locator(`.graph .react-flow__node [data-step="${step}"]`).boundingBox())!;
    const [a1, b1] = [await position('prepare-workspace'), await position('stage1-integration-suite-1')];
    expect(b1.x).toBeGreaterThan(a1.x + a1.width - 1);
    await page.getByRole('button', { name: 'Top to bottom' }).click();
    await page.getByRole('button', { name: 'Top to bottom', pressed: true }).waitFor();
    await eventually(async () => {
      const [a, b] = [await position('prepare-workspace'), await position('stage1-integration-suite-1')];
      return b.y >= a.y + a.height ? true : undefined;
    }, 'the top-to-bottom layout');
    for (const t of await nodeTitles(page)) expect(t.fontPx >= 11 && !t.clipped).toBe(true);
    await screenshot(page, 'graph-50-steps-top-down');
  });
});
