import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runComponent } from '../../test/support/components';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();

let bare: string;
let mainCommit: string;
let tagCommit: string;

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-git-'));
  const work = path.join(root, 'work');
  bare = path.join(root, 'repo.git');
  fs.mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'config', 'user.email', 't@example.org');
  git(work, 'config', 'user.name', 'T');
  fs.writeFileSync(path.join(work, 'README.md'), 'v1\n');
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'one');
  git(work, 'tag', 'v1');
  tagCommit = git(work, 'rev-parse', 'HEAD');
  fs.writeFileSync(path.join(work, 'README.md'), 'v2\n');
  git(work, 'commit', '-qam', 'two');
  mainCommit = git(work, 'rev-parse', 'HEAD');
  git(root, 'clone', '-q', '--bare', work, bare);
});

describe('git-clone on the local runtime', () => {
  it("checks out the remote's default branch into a workspace that is not empty", async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-ws-'));
    fs.writeFileSync(path.join(workspace, 'already-here'), '');
    const { outcome, lines } = await runComponent('git-clone', { url: `file://${bare}` }, { workspace });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toEqual({ commit: mainCommit, ref: 'HEAD' });
    expect(fs.readFileSync(path.join(workspace, 'README.md'), 'utf8')).toBe('v2\n');
    expect(lines).toContain(`checked out ${mainCommit}`);
  });

  it('checks out a tag into a sub-folder, and again on a rerun', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-ws-'));
    for (let i = 0; i < 2; i++) {
      const { outcome } = await runComponent(
        'git-clone',
        { url: `file://${bare}`, ref: 'v1', path: 'src' },
        { workspace },
      );
      expect(outcome.outputs.commit).toBe(tagCommit);
    }
    expect(fs.readFileSync(path.join(workspace, 'src', 'README.md'), 'utf8')).toBe('v1\n');
  });

  it('fails with git’s reason for a ref that does not exist', async () => {
    const { outcome, lines } = await runComponent('git-clone', {
      url: `file://${bare}`,
      ref: 'no-such-branch',
    });
    expect(outcome.failure?.kind).toBe('exit');
    expect(lines.join('\n')).toMatch(/no-such-branch/);
  });
});

describe('git-clone refuses inputs git would read as options or commands', () => {
  const marker = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-pwn-')), 'ran');

  it('a ref that starts with "-" fails the step before git runs, so --upload-pack runs nothing', async () => {
    const ran = marker();
    const { outcome, lines } = await runComponent('git-clone', {
      url: `file://${bare}`,
      ref: `--upload-pack=touch ${ran};true`,
    });
    expect(outcome.failure?.kind).toBe('exit');
    expect(outcome.exitCode).toBe(64);
    expect(lines.join('\n')).toContain("git-clone: input ref must not start with '-'");
    expect(fs.existsSync(ran)).toBe(false);
  });

  it.each([
    ['an option in place of the URL', (ran: string) => `--upload-pack=touch ${ran};true`, /input url/],
    ['the ext:: transport', (ran: string) => `ext::sh -c touch% ${ran}`, /transport 'ext' not allowed/],
    ['a remote helper', (ran: string) => `fd::17/${ran}`, /transport 'fd' not allowed/],
  ])('a URL with %s runs nothing', async (_what, url, reason) => {
    const ran = marker();
    const { outcome, lines } = await runComponent('git-clone', { url: url(ran) });
    expect(outcome.failure?.kind).toBe('exit');
    expect(lines.join('\n')).toMatch(reason);
    expect(fs.existsSync(ran)).toBe(false);
  });

  it('a path that starts with "-" is refused', async () => {
    const { outcome, lines } = await runComponent('git-clone', { url: `file://${bare}`, path: '--help' });
    expect(outcome.exitCode).toBe(64);
    expect(lines.join('\n')).toContain("git-clone: input path must not start with '-'");
  });

  it('sends the token to an https/http remote as basic auth, never on the command line', async () => {
    const auth: Array<string | undefined> = [];
    const server = http.createServer((req, res) => {
      auth.push(req.headers.authorization);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const { outcome } = await runComponent('git-clone', {
        url: `http://127.0.0.1:${port}/repo.git`,
        token: 'git-token-4321',
      });
      expect(outcome.failure?.kind).toBe('exit');
      const expected = `Basic ${Buffer.from('x-access-token:git-token-4321').toString('base64')}`;
      expect(auth[0]).toBe(expected);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
