import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactRefused, packArtifact, unpackArtifact } from '../../../activities/dockyard/pack';

/** Hostile archives, made with GNU tar (-P keeps absolute and ../ names as given). */
describe('artifact unpacking refuses entries that would leave the workspace', () => {
  let scratch: string;
  let workspace: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-unpack-'));
    workspace = path.join(scratch, 'ws');
    fs.mkdirSync(workspace);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const archive = (cwd: string, args: string[]) => {
    const file = path.join(scratch, `a-${Math.random().toString(16).slice(2)}.tgz`);
    execFileSync('tar', ['-czPf', file, ...args], { cwd });
    return fs.createReadStream(file);
  };

  it('refuses ../x and writes nothing outside', async () => {
    const inner = path.join(scratch, 'src', 'inner');
    fs.mkdirSync(inner, { recursive: true });
    fs.writeFileSync(path.join(scratch, 'src', 'x'), 'escaped');
    await expect(unpackArtifact(workspace, archive(inner, ['../x']))).rejects.toThrow(ArtifactRefused);
    expect(fs.existsSync(path.join(scratch, 'x'))).toBe(false);
  });

  it('refuses absolute paths', async () => {
    const file = path.join(scratch, 'abs.txt');
    fs.writeFileSync(file, 'absolute');
    await expect(unpackArtifact(workspace, archive(scratch, [file]))).rejects.toThrow(/absolute|leaves/);
  });

  it('refuses a symlink that points out of the workspace', async () => {
    const src = path.join(scratch, 'src');
    fs.mkdirSync(src);
    fs.symlinkSync('/etc/passwd', path.join(src, 'passwd'));
    await expect(unpackArtifact(workspace, archive(src, ['passwd']))).rejects.toThrow(
      /points out of the workspace/,
    );
    expect(fs.existsSync(path.join(workspace, 'passwd'))).toBe(false);
  });

  it('round-trips a directory with an inner symlink through pack and unpack', async () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(path.join(from, 'dist', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(from, 'dist', 'sub', 'a.txt'), 'A');
    fs.symlinkSync('sub/a.txt', path.join(from, 'dist', 'link'));
    await unpackArtifact(workspace, await packArtifact(from, 'dist'));
    expect(fs.readFileSync(path.join(workspace, 'dist', 'link'), 'utf8')).toBe('A');
  });

  it('refuses to pack a path that resolves out of the workspace', async () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(from);
    fs.symlinkSync('/etc', path.join(from, 'etc'));
    await expect(packArtifact(from, 'etc')).rejects.toThrow(/out of the workspace/);
    await expect(packArtifact(from, '../x')).rejects.toThrow(/leave the workspace/);
  });
});
