import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';

jest.setTimeout(180_000);

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

const component = (readme: string) => ({
  apiVersion: 'containerops/v1',
  kind: 'Component',
  name: 'readme-probe',
  version: '1.0.0',
  run: 'echo hi',
  readme,
});

const HOSTILE = [
  '# Probe',
  '',
  'Plain **bold** text.',
  '',
  '<script>window.__pwned = "script"</script>',
  '',
  '<img src="x" onerror="window.__pwned = \'img\'">',
  '',
  '[a trap](javascript:window.__pwned=%22link%22)',
  '',
  '[the docs](https://example.org/docs)',
].join('\n');

describe("a component's README", () => {
  it('is served with the version; the same spec with another README replaces it, the digest stays', async () => {
    const first = await stack.request('POST', '/api/v1/components', component('# first'));
    expect(first.status).toBe(201);
    const { digest } = (await first.json()) as { digest: string };
    const again = await stack.request('POST', '/api/v1/components', component(HOSTILE));
    expect(again.status).toBe(200);
    const view = (await (await stack.request('GET', '/api/v1/components/readme-probe')).json()) as {
      readme: string;
      versions: Array<{ digest: string }>;
    };
    expect(view.readme).toBe(HOSTILE);
    expect(view.versions.map((v) => v.digest)).toEqual([digest]);
    const version = (await (await stack.request('GET', '/api/v1/components/readme-probe/1.0.0')).json()) as {
      readme: string;
      spec: Record<string, unknown>;
    };
    expect(version.readme).toBe(HOSTILE);
    expect(version.spec.readme).toBeUndefined();

    const tooLong = await stack.request('POST', '/api/v1/components', component('x'.repeat(64 * 1024 + 1)));
    expect(tooLong.status).toBe(422);
    expect(((await tooLong.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(
      ['readme'],
    );
  });

  it("a built-in's README.md is shown on its page", async () => {
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, '/components/git-clone');
    const readme = page.getByRole('region', { name: 'README' });
    await readme.getByRole('heading', { name: 'git-clone', level: 2 }).waitFor();
    // its markdown table of inputs, rendered as a table
    await readme.getByRole('cell', { name: 'depth', exact: true }).waitFor();
    const source = fs.readFileSync(
      path.resolve(__dirname, '../../../components/git-clone/README.md'),
      'utf8',
    );
    expect(source).toContain('| `depth` | integer |');
    await screenshot(page, 'component-readme');
  });

  it('renders markdown, never the HTML or script links a README carries', async () => {
    ui = await openPage(browser, stack.url);
    const { page } = ui;
    await signIn(page, ADMIN_TOKEN, '/components/readme-probe');
    const readme = page.getByRole('region', { name: 'README' });
    await readme.getByRole('heading', { name: 'Probe' }).waitFor();
    expect(await readme.locator('strong').textContent()).toBe('bold');
    // the raw HTML is shown as text, not made into elements
    await readme.getByText('<script>window.__pwned = "script"</script>').waitFor();
    await readme.getByText(`<img src="x" onerror="window.__pwned = 'img'">`).waitFor();
    expect(await readme.locator('script, img, iframe, [onerror]').count()).toBe(0);
    const hrefs = await readme.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['https://example.org/docs']);
    expect(await readme.getByRole('link', { name: 'the docs' }).getAttribute('rel')).toContain('noopener');
    await readme
      .getByText('a trap')
      .click()
      .catch(() => undefined);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await screenshot(page, 'component-readme-hostile');
  });
});
