import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runComponent } from '../../test/support/components';

/** A workspace holding a Node.js project whose one test asserts `ok`. */
function project(ok: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-nodejs-test-'));
  fs.mkdirSync(path.join(dir, 'app', 'test'), { recursive: true });
  const pkg = { name: 'app', version: '1.0.0', scripts: { test: 'node --test' } };
  fs.writeFileSync(path.join(dir, 'app', 'package.json'), JSON.stringify(pkg));
  fs.writeFileSync(
    path.join(dir, 'app', 'test', 'ok.test.js'),
    `require('node:test')('ok', () => require('node:assert').ok(${ok}));\n`,
  );
  return dir;
}

describe('nodejs-test on the local runtime (original protocol: CO_DATA in, [COUT] out)', () => {
  it('passing tests report CO_RESULT = true', async () => {
    const workspace = project(true);
    const { outcome } = await runComponent('nodejs-test', { path: 'app' }, { workspace });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.outputs).toMatchObject({ CO_TEST_PASSED: 'true', CO_RESULT: 'true' });
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('a failing test reports CO_RESULT = false and exits 0, as the original components did', async () => {
    const workspace = project(false);
    const { outcome } = await runComponent('nodejs-test', { path: 'app' }, { workspace });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.outputs).toMatchObject({ CO_TEST_PASSED: 'false', CO_RESULT: 'false' });
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('a directory with no package.json says so in a [COUT] line', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-nodejs-test-'));
    const { outcome, lines } = await runComponent('nodejs-test', { path: 'nothing' }, { workspace });
    expect(outcome.outputs).toMatchObject({ CO_RESULT: 'false' });
    expect(lines).toContain('[COUT] no package.json in nothing');
    fs.rmSync(workspace, { recursive: true, force: true });
  });
});
