import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
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
