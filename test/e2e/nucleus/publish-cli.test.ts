import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../cli/main';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

async function cli(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, out, err };
}

function folder(version: string, extra = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-publish-'));
  fs.writeFileSync(
    path.join(dir, 'component.yaml'),
    `apiVersion: containerops/v1\nkind: Component\nname: cli-tool\nversion: ${version}\nrun: echo hi\n${extra}`,
  );
  return dir;
}

describe('npx containerops component publish DIR', () => {
  it('publishes a folder, is a no-op the second time, and refuses other content under the same version', async () => {
    const env = { CO_API_URL: stack.url, CO_TOKEN: ADMIN_TOKEN };
    const dir = folder('1.0.0');
    const first = await cli(['component', 'publish', dir], env);
    expect(first).toMatchObject({ code: 0, err: [] });
    expect(first.out[0]).toMatch(/^published cli-tool@1\.0\.0 \(sha256:[0-9a-f]{64}\)$/);
    expect((await cli(['component', 'publish', dir], env)).out).toEqual([
      'cli-tool@1.0.0 is already published with this content',
    ]);
    const changed = await cli(['component', 'publish', folder('1.0.0', 'timeout: 1m\n')], env);
    expect(changed.code).toBe(1);
    expect(changed.err.join('\n')).toContain('409 Conflict');
    const listed = await stack.request('GET', '/api/v1/components/cli-tool');
    expect(((await listed.json()) as { latest: string }).latest).toBe('1.0.0');
  });

  it('prints file:line:col for each error of an invalid component', async () => {
    const dir = folder('one');
    const { code, err } = await cli(['component', 'publish', dir], {
      CO_API_URL: stack.url,
      CO_TOKEN: ADMIN_TOKEN,
    });
    expect(code).toBe(1);
    expect(err[0]).toBe(
      `${path.join(dir, 'component.yaml')}:4:10: version: must be a semantic version such as 1.0.0`,
    );
  });

  it('needs a token, and an administrator’s', async () => {
    expect((await cli(['component', 'publish', folder('2.0.0')], { CO_API_URL: stack.url })).code).toBe(2);
    const denied = await cli(['component', 'publish', folder('2.0.0')], {
      CO_API_URL: stack.url,
      CO_TOKEN: 'co_wrong',
    });
    expect(denied.code).toBe(1);
    expect(denied.err.join('\n')).toContain('401');
  });
});
