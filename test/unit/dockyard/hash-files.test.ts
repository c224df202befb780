import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashFiles, resolveHashes } from '../../../activities/dockyard/cache/hash-files';

const sha = (b: string | Buffer) => crypto.createHash('sha256').update(b).digest();

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-hash-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('hashFiles over a workspace', () => {
  it('hashes the matching files in path order, skipping node_modules and .git', async () => {
    const root = workspace({
      'b/package-lock.json': 'B',
      'a/package-lock.json': 'A',
      'node_modules/x/package-lock.json': 'ignored',
      '.git/package-lock.json': 'ignored',
      'a/other.json': 'no',
    });
    const expected = crypto.createHash('sha256').update(sha('A')).update(sha('B')).digest('hex');
    expect(await hashFiles(root, ['**/package-lock.json'])).toBe(expected);
  });

  it('is empty when nothing matches, and follows no symlink out of the workspace', async () => {
    const outside = workspace({ 'secret.lock': 'outside' });
    const root = workspace({ 'app/readme.md': 'x' });
    fs.symlinkSync(outside, path.join(root, 'linked'));
    expect(await hashFiles(root, ['**/*.lock'])).toBe('');
  });

  it('replaces each ${CO_HASH_n} of a key, hashing each glob set once', async () => {
    const root = workspace({ 'go.sum': 'sum' });
    const memo = new Map<string, Promise<string>>();
    const key = await resolveHashes('go-${CO_HASH_1}-${CO_HASH_1}', { CO_HASH_1: ['go.sum'] }, root, memo);
    const h = crypto.createHash('sha256').update(sha('sum')).digest('hex');
    expect(key).toBe(`go-${h}-${h}`);
    expect(memo.size).toBe(1);
  });
});
