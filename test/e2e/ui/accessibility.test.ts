import type { Browser, Page } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun, waitForStep } from '../../support/runs';
import { launchBrowser, screenshot, signIn } from '../../support/browser';

jest.setTimeout(180_000);

const AXE = require.resolve('axe-core/axe.min.js');
let stack: Stack;
let browser: Browser;
let project: string;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  project = await createProject(stack);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page; returns the serious and critical violations, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate<Violation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const pipeline = `apiVersion: containerops/v1
kind: Pipeline
name: checked
params:
  - { name: target, default: staging, description: Where to deploy }
steps:
  - id: build
    run: printf '\\033[32mbuilt\\033[0m see https://example.org\\n'
  - id: gate
    needs: [build]
    approval: { approvers: ["user:admin"] }
`;

describe('accessibility of the main pages (axe-core)', () => {
  it('reports no serious or critical violation', async () => {
    await createPipeline(stack, project, pipeline);
    const run = await trigger(stack, project, 'checked');
    await waitForStep(stack, project, run.id, 'gate', 'waiting');
    const other = await trigger(stack, project, 'checked');
    await waitForStep(stack, project, other.id, 'gate', 'waiting');
    await stack.request('POST', `/api/v1/projects/${project}/runs/${other.id}/cancel`, {});
    await waitForRun(stack, project, other.id);

    // the page's CSP allows only its own scripts: the test context lets axe in
    const context = await browser.newContext({
      baseURL: stack.url,
      bypassCSP: true,
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    const pages: [string, string, () => Promise<unknown>][] = [
      ['projects', '/', () => page.getByRole('heading', { name: 'Projects' }).waitFor()],
      [
        'pipelines',
        `/projects/${project}/pipelines`,
        () => page.getByRole('link', { name: 'checked' }).waitFor(),
      ],
      ['runs', `/projects/${project}/runs`, () => page.getByRole('link', { name: 'checked #1' }).waitFor()],
      [
        'run waiting',
        `/projects/${project}/runs/${run.id}`,
        () => page.getByRole('button', { name: 'Approve' }).waitFor(),
      ],
      [
        'run cancelled',
        `/projects/${project}/runs/${other.id}?step=build`,
        () => page.getByText('built').waitFor(),
      ],
      [
        'editor',
        `/projects/${project}/pipelines/checked`,
        () => page.getByTestId('validity').getByText('Valid').waitFor(),
      ],
      ['components', '/components', () => page.getByRole('link', { name: 'git-clone' }).waitFor()],
      ['component', '/components/git-clone', () => page.getByRole('table', { name: 'Inputs' }).waitFor()],
      [
        'secrets',
        `/projects/${project}/secrets`,
        () => page.getByRole('form', { name: 'Add a secret' }).waitFor(),
      ],
      [
        'members',
        `/projects/${project}/members`,
        () => page.getByRole('form', { name: 'Add a member' }).waitFor(),
      ],
      [
        'services',
        `/projects/${project}/services`,
        () => page.getByRole('form', { name: 'Register a service' }).waitFor(),
      ],
      ['users', '/admin/users', () => page.getByRole('form', { name: 'Create a user' }).waitFor()],
      ['teams', '/admin/teams', () => page.getByRole('form', { name: 'Create a team' }).waitFor()],
      ['tokens', '/account/tokens', () => page.getByRole('form', { name: 'Create a token' }).waitFor()],
    ];
    await page.goto('/sign-in');
    await page.getByLabel('API token').waitFor();
    const found: Record<string, string[]> = { 'sign-in': await seriousViolations(page) };
    await signIn(page, ADMIN_TOKEN);
    for (const [name, path, ready] of pages) {
      await page.goto(path);
      await ready();
      found[name] = await seriousViolations(page);
    }
    // the run dialog (a modal) too
    await page.goto(`/projects/${project}/pipelines/checked`);
    await page.getByRole('button', { name: 'Run…' }).click();
    await page.getByRole('dialog', { name: 'Run checked' }).waitFor();
    found['run dialog'] = await seriousViolations(page);
    await screenshot(page, 'a11y-run-dialog');
    await context.close();
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });
});
