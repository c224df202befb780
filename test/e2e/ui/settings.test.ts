import type { Browser } from 'playwright-core';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually } from '../../support/runs';
import { launchBrowser, openPage, screenshot, signIn, type UiPage } from '../../support/browser';
import { createUserWithToken } from '../crew/actors';

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
  // a refused write answers 4xx, which the browser logs; nothing else may reach the console
  expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signedIn(path: string) {
  ui = await openPage(browser, stack.url);
  await signIn(ui.page, ADMIN_TOKEN, path);
  return ui.page;
}

describe('settings you can edit', () => {
  it('adds a secret whose value is never shown, replaces its value, refuses a bad name with its reason, deletes it', async () => {
    const page = await signedIn(`/projects/${project}/secrets`);
    const add = page.getByRole('form', { name: 'Add a secret' });
    await add.getByLabel('Name').fill('bad name');
    await add.getByLabel('Value').fill('x');
    await add.getByRole('button', { name: 'Add secret' }).click();
    await add.getByRole('alert').getByText('must be a letter or underscore').waitFor();

    await add.getByLabel('Name').fill('DEPLOY_KEY');
    await add.getByLabel('Value').fill('s3cr3t-value');
    await add.getByRole('button', { name: 'Add secret' }).click();
    const row = page.locator('tr[data-secret="DEPLOY_KEY"]');
    await row.waitFor();
    expect(await add.getByLabel('Value').inputValue()).toBe('');
    expect(await page.content()).not.toContain('s3cr3t-value');
    await screenshot(page, 'settings-secrets');

    await row.getByRole('button', { name: 'Replace value' }).click();
    await row.getByLabel('New value for DEPLOY_KEY').fill('n3w-value');
    await row.getByRole('button', { name: 'Replace value' }).click();
    await row.getByRole('button', { name: 'Replace value' }).waitFor();
    const listed = await (await stack.request('GET', `/api/v1/projects/${project}/secrets`)).text();
    expect(listed).toContain('DEPLOY_KEY');
    expect(listed).not.toMatch(/s3cr3t|n3w-value/);

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete DEPLOY_KEY' }).click();
    await page.getByText('No secrets.').waitFor();
  });

  it('adds a member, changes the role and removes the member', async () => {
    const bob = await createUserWithToken(stack);
    const page = await signedIn(`/projects/${project}/members`);
    const add = page.getByRole('form', { name: 'Add a member' });
    await add.getByLabel('User or team:name').fill(bob.name);
    await add.getByLabel('Role').selectOption('viewer');
    await add.getByRole('button', { name: 'Add member' }).click();
    const role = page.getByLabel(`Role of ${bob.name}`);
    await role.waitFor();
    expect(await role.inputValue()).toBe('viewer');

    await role.selectOption('maintainer');
    const roleOf = async () => {
      const res = await stack.request('GET', `/api/v1/projects/${project}/members?limit=100`);
      const { items } = (await res.json()) as { items: { name: string; role: string }[] };
      return items.find((m) => m.name === bob.name)?.role;
    };
    await eventually(async () => ((await roleOf()) === 'maintainer' ? true : undefined), 'the new role');
    await screenshot(page, 'settings-members');

    const row = page.locator(`tr[data-member="${bob.name}"]`);
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByRole('button', { name: `Remove ${bob.name}` }).click();
    await row.waitFor({ state: 'detached' });
    expect(await roleOf()).toBeUndefined();
  });

  it('creates an API token shown once, which works until it is revoked', async () => {
    const page = await signedIn('/account/tokens');
    await page.getByLabel('Token name').fill('ci-bot');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('New token');
    const token = (await shown.textContent())!;
    expect(token.length).toBeGreaterThan(20);
    await screenshot(page, 'settings-token-once');
    expect((await stack.request('GET', '/api/v1/whoami', undefined, { token })).status).toBe(200);

    await page.reload();
    await page.locator('tr[data-token="ci-bot"]').waitFor();
    expect(await page.content()).not.toContain(token);
    const row = page.locator('tr[data-token="ci-bot"]');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await stack.request('GET', '/api/v1/whoami', undefined, { token })).status).toBe(401);
  });

  it("shows a pipeline's webhook URL, connects a code host and adds, pauses and removes a schedule", async () => {
    await createPipeline(
      stack,
      project,
      'apiVersion: containerops/v1\nkind: Pipeline\nname: hooked\nsteps:\n  - id: a\n    run: "true"\n',
    );
    const page = await signedIn(`/projects/${project}/pipelines/hooked`);
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const url = await page.getByLabel('Webhook URL').textContent();
    expect(url).toMatch(new RegExp(`/hooks/${project}/hooked$`));

    const connect = page.getByRole('form', { name: 'Connect a code host' });
    await connect.getByLabel('Provider').selectOption('github');
    await connect.getByLabel('Signing secret').fill('a-signing-secret-0123456789');
    await connect.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('list', { name: 'Connected code hosts' }).getByText('github').waitFor();
    expect(await page.content()).not.toContain('a-signing-secret-0123456789');

    const add = page.getByRole('form', { name: 'Add a schedule' });
    await add.getByLabel('Cron').fill('nope');
    await add.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByRole('alert').getByText('cron').first().waitFor();
    await add.getByLabel('Cron').fill('0 3 * * *');
    await add.getByRole('button', { name: 'Add schedule' }).click();
    const schedule = page.locator('li[data-schedule="0 3 * * *"]');
    await schedule.getByText(/added here · active/).waitFor();
    await screenshot(page, 'triggers');
    await schedule.getByRole('button', { name: 'Pause' }).click();
    await schedule.getByText(/added here · paused/).waitFor();
    await schedule.getByRole('button', { name: 'Remove' }).click();
    await schedule.getByRole('button', { name: 'Remove 0 3 * * *' }).click();
    await schedule.waitFor({ state: 'detached' });
  });

  it('lets an administrator create a user, disable them, and put them in a new team', async () => {
    const name = `carol-${Date.now().toString(36)}`;
    const page = await signedIn('/admin/users');
    const create = page.getByRole('form', { name: 'Create a user' });
    await create.getByLabel('User name').fill(name);
    await create.getByLabel('Email').fill(`${name}@example.org`);
    await create.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator(`tr[data-user="${name}"]`);
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('user (disabled)').waitFor();
    await row.getByRole('button', { name: 'Enable' }).click();
    await row.getByRole('button', { name: 'Disable' }).waitFor();

    await page.getByRole('link', { name: 'Teams' }).click();
    const team = `ops-${Date.now().toString(36)}`;
    await page.getByLabel('Team name').fill(team);
    await page.getByRole('button', { name: 'Create team' }).click();
    const section = page.getByRole('region', { name: `Team ${team}` });
    await section.getByLabel('User name').fill(name);
    await section.getByRole('button', { name: 'Add to team' }).click();
    await section.getByRole('button', { name: `Remove ${name}` }).waitFor();
    const res = await stack.request('GET', `/api/v1/teams/${team}`);
    expect(((await res.json()) as { members: string[] }).members).toEqual([name]);
    await screenshot(page, 'admin-teams');
  });

  it('registers a service with write-only credentials, edits its URL and deletes it', async () => {
    const page = await signedIn(`/projects/${project}/services`);
    const form = page.getByRole('form', { name: 'Register a service' });
    await form.getByLabel('Name').fill('ci-hub');
    await form.getByLabel('Type').fill('githib');
    await form.getByRole('button', { name: 'Register' }).click();
    // the API names the types it knows
    await form
      .getByRole('alert')
      .getByText(/generic-http/)
      .waitFor();

    await form.getByLabel('Type').fill('generic-http');
    await form.getByLabel('URL').fill('https://ci.example.org');
    await form.getByLabel('Credentials (JSON, write-only)').fill('{"token": "tok-0123456789"}');
    await form.getByRole('button', { name: 'Register' }).click();
    const row = page.locator('tr[data-service="ci-hub"]');
    await row.getByRole('cell', { name: 'set', exact: true }).waitFor();
    expect(await page.content()).not.toContain('tok-0123456789');

    await row.getByRole('button', { name: 'Edit' }).click();
    await row.getByLabel('URL').fill('https://ci2.example.org');
    await row.getByRole('button', { name: 'Save' }).click();
    // stored credentials stay bound to their address: a new URL needs them again, and the form says so
    await row
      .getByRole('alert')
      .getByText(/send the credentials again/)
      .waitFor();
    await row.getByLabel('Credentials (JSON, write-only').fill('{"token": "tok-for-ci2"}');
    await row.getByRole('button', { name: 'Save' }).click();
    await row.getByRole('cell', { name: 'https://ci2.example.org' }).waitFor();
    await screenshot(page, 'settings-services');
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete ci-hub' }).click();
    await page.getByText('No services registered.').waitFor();
  });

  it('shows a component with its inputs, outputs and versions', async () => {
    const page = await signedIn('/components');
    await page.getByRole('link', { name: 'git-clone' }).click();
    await page.getByRole('heading', { name: 'git-clone', level: 1 }).waitFor();
    const url = page.getByRole('table', { name: 'Inputs' }).getByRole('row', { name: /^url/ });
    expect(await url.getByRole('cell').nth(2).textContent()).toBe('yes');
    await page
      .getByRole('table', { name: 'Versions' })
      .getByText(/\(latest\)/)
      .waitFor();
    expect(await page.getByLabel('Usage').textContent()).toContain('uses: git-clone@1');
    await screenshot(page, 'component-detail');
  });

  it('explains a project name the API would refuse, before sending it', async () => {
    const page = await signedIn('/');
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name').fill('My Project');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByText('Use lowercase letters, digits and dashes').waitFor();
    await form.getByText('Try “my-project”.').waitFor();
    const name = `my-project-${Date.now().toString(36)}`;
    await form.getByLabel('Name').fill(name);
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
  });
});
