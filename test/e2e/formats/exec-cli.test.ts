import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';

let stack: Stack;
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-exec-'));
});
afterAll(async () => {
  await stack?.stop();
});

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout lines seen before the run ended (the run's summary line is last) */
  liveLines: number;
}

/** Runs `containerops exec` as a user does, against the test stack's API. */
function exec(...args: string[]): Promise<Exec> {
  const bin = path.join(__dirname, '../../../bin/containerops.js');
  const child = spawn(process.execPath, [bin, 'exec', ...args], {
    env: { ...process.env, CO_API_URL: stack.url, CO_TOKEN: ADMIN_TOKEN, CO_PROJECT: 'exec-cli' },
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => err.push(d.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const stdout = out.join('');
      resolve({
        code,
        stdout,
        stderr: err.join(''),
        liveLines: stdout.split('\n').filter((l) => l.startsWith('[')).length,
      });
    }),
  );
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('containerops exec FILE', () => {
  it('runs examples/node-app.yaml with its step logs on the terminal and exits 0', async () => {
    const result = await exec(path.join(__dirname, '../../../examples/node-app.yaml'));
    // a green run writes only its steps' own stderr lines there (the install step's cache notes)
    const notStepLines = result.stderr.split('\n').filter((l) => l !== '' && !/^\[[a-z-]+\] /.test(l));
    expect(notStepLines).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[test\] .*pass/m);
    expect(result.stdout).toMatch(/run #1 succeeded\n$/);
  });

  it('runs the example GitHub workflow with live logs and exits 0', async () => {
    const result = await exec(
      path.join(__dirname, '../../../examples/.github/workflows/ci.yml'),
      '--param',
      'greeting=hi',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[build] packing sample-app 1.4.0 (release)');
    expect(result.stdout).toContain('[test shard=2] shard 2 passed for 1.4.0');
    expect(result.stdout).toMatch(/^\[report\] hi: tests success, version 1\.4\.0$/m);
    // four jobs, two of them a matrix, each a real run of node: ~20 s idle, past 60 s on a busy machine
  }, 180_000);

  it('runs a GitHub workflow and exits 1 with the failed job when a step fails', async () => {
    const file = write(
      '.github/workflows/check.yml',
      `name: Check
on: push
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "hello from a workflow"
  verify:
    needs: greet
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "checking"
          exit \${{ github.event_name == 'push' && 6 || 5 }}
`,
    );
    const failed = await exec(file);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('[greet] hello from a workflow');
    expect(failed.stdout).toContain('[verify] checking');
    expect(failed.stderr).toContain('verify: failed exit 5');
    expect(failed.stderr).toMatch(/run #1 failed/);
  });

  it('checks out the local repository for actions/checkout without a repository', async () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'co-exec-repo-'));
    const git = (...a: string[]) =>
      execFileSync('git', a, { cwd: repo, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
    fs.mkdirSync(path.join(repo, '.github/workflows'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'VERSION'), '7.1.0\n');
    fs.writeFileSync(
      path.join(repo, '.github/workflows/release.yml'),
      'on: push\njobs:\n  show:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "version $(cat VERSION)"\n',
    );
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-qm', 'init');
    const result = await exec(path.join(repo, '.github/workflows/release.yml'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[show] version 7.1.0');
  });

  it('exits 0 for a GitHub workflow whose jobs succeed, and 1 with the located error for an invalid one', async () => {
    const ok = await exec(
      write(
        '.github/workflows/ok.yml',
        'on: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo fine\n',
      ),
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('[one] fine');

    const bad = await exec(
      write(
        '.github/workflows/bad.yml',
        'on: push\njobs:\n  one:\n    runs-on: ubuntu-latest\n    environment: production\n    steps: [ { run: echo } ]\n',
      ),
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.yml:5:5: jobs.one.environment: environment: deployment environments');
  });
});
