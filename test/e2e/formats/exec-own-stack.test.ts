import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `containerops exec` on a machine where no platform answers: it starts one for the run and stops
 * it after — and its exit status is still the run's (it was 0 for a failed run: the stopping
 * platform's process was the only thing Node waited on, and Node does not wait on an unref'd one).
 */
function exec(
  file: string,
  dataDir: string,
  extra: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  const bin = path.join(__dirname, '../../../bin/containerops.js');
  // a user's shell, not the test run's: no DATABASE_URL, TEMPORAL_ADDRESS or test keys to inherit
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CO_RUNTIME: 'local',
    CO_DATA_DIR: dataDir,
    ...extra,
  };
  // nothing answers at the default address, so exec starts its own platform (embedded defaults)
  const child = spawn(process.execPath, [bin, 'exec', file], { env });
  const out: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => out.push(d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out: out.join('') })));
}

it('starts its own platform, and exits 1 when the run fails', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-exec-own-'));
  const file = path.join(dir, '.github', 'workflows', 'fails.yml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    'name: Fails\non: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo about to fail; exit 3\n',
  );

  const result = await exec(file, path.join(dir, 'platform'));

  expect(result.out).toContain('no platform is running; starting one for this run');
  expect(result.out).toMatch(/^\[one\] about to fail$/m);
  expect(result.out).toMatch(/run #1 failed: step one failed/);
  expect(result.code).toBe(1);
}, 300_000);

it('exits 1 with the reason when the platform it starts cannot start (not after its 10-minute readiness wait)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-exec-own-'));
  const file = path.join(dir, 'fails.yml');
  fs.writeFileSync(
    file,
    'name: Fails\non: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps: [ { run: echo } ]\n',
  );

  // a database nobody serves: the platform's migrations fail at once
  const result = await exec(file, path.join(dir, 'platform'), {
    DATABASE_URL: 'mysql://root@127.0.0.1:1/none',
  });

  expect(result.out).toMatch(/containerops: .*migrations: connect ECONNREFUSED/);
  expect(result.code).toBe(1);
}, 120_000);
