import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unpackArtifact } from '../../../activities/dockyard/pack';
import { WorkspaceChanges } from '../../../activities/memoize/workspace-changes';

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'co-changes-'));
  fs.mkdirSync(path.join(ws, 'src'));
  fs.writeFileSync(path.join(ws, 'src/kept.txt'), 'same');
  fs.writeFileSync(path.join(ws, 'src/edited.txt'), 'before');
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

/** What a reuse would unpack: the snapshot unpacked into an empty workspace, as path -> content. */
async function unpacked(changes: WorkspaceChanges, files: string[]): Promise<Record<string, string>> {
  const into = fs.mkdtempSync(path.join(os.tmpdir(), 'co-reuse-'));
  try {
    await unpackArtifact(into, changes.pack(files));
    const found = fs.readdirSync(into, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    return Object.fromEntries(
      found.map((e) => {
        const full = path.join(e.parentPath, e.name);
        return [path.relative(into, full), fs.readFileSync(full, 'utf8')];
      }),
    );
  } finally {
    fs.rmSync(into, { recursive: true, force: true });
  }
}

describe('the workspace changes of a memoized step', () => {
  it('are the files the step created or changed, without the unchanged, the deleted or the platform dir', async () => {
    const changes = await WorkspaceChanges.before(ws);
    fs.writeFileSync(path.join(ws, 'src/edited.txt'), 'after, longer');
    fs.mkdirSync(path.join(ws, 'build/deep'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'build/deep/new.txt'), 'new');
    fs.mkdirSync(path.join(ws, '.co/refs'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.co/refs/abc'), 'a large output');
    fs.rmSync(path.join(ws, 'src/kept.txt'));
    const found = await changes.after(1024);
    expect(found).toEqual({ files: ['build/deep/new.txt', 'src/edited.txt'], bytes: 16 });
    expect(await unpacked(changes, found.files)).toEqual({
      'build/deep/new.txt': 'new',
      'src/edited.txt': 'after, longer',
    });
  });

  it('are over the bound past maxBytes, saying how many bytes the step wrote', async () => {
    const changes = await WorkspaceChanges.before(ws);
    fs.writeFileSync(path.join(ws, 'big.bin'), Buffer.alloc(5000));
    expect(await changes.after(4096)).toEqual({
      files: [],
      bytes: 5000,
      tooLarge:
        'the step created or changed 5000 bytes of workspace files, over the 4096 a memoized result keeps',
    });
  });
});
