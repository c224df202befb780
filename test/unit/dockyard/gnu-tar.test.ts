import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { packWithTar } from '../../../activities/dockyard/gnu-tar';
import { ArtifactRefused, unpackArtifact } from '../../../activities/dockyard/pack';

const bytesOf = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Caches and memoized snapshots packed and unpacked with GNU tar, checked member by member first. */
describe('packing and unpacking with GNU tar', () => {
  let scratch: string;
  let workspace: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-gnutar-'));
    workspace = path.join(scratch, 'ws');
    fs.mkdirSync(workspace);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const archive = (cwd: string, args: string[]) => {
    const file = path.join(scratch, `a-${Math.random().toString(16).slice(2)}.tgz`);
    execFileSync('tar', ['-czf', file, ...args], { cwd });
    return fs.createReadStream(file);
  };

  it('round-trips a tree with links, and the same files pack to the same bytes', async () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(path.join(from, 'node_modules', 'a', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(from, 'node_modules', 'a', 'bin', 'cli.js'), 'run');
    fs.mkdirSync(path.join(from, 'node_modules', '.bin'));
    fs.symlinkSync('../a/bin/cli.js', path.join(from, 'node_modules', '.bin', 'a'));
    fs.writeFileSync(path.join(from, '-odd name'), 'dash');
    const first = await bytesOf(packWithTar(from, ['node_modules', '-odd name'], { recursive: true }));
    fs.utimesSync(path.join(from, '-odd name'), 1, 1);
    const again = await bytesOf(packWithTar(from, ['node_modules', '-odd name'], { recursive: true }));
    expect(again.equals(first)).toBe(true);
    await unpackArtifact(workspace, packWithTar(from, ['node_modules', '-odd name'], { recursive: true }));
    expect(fs.readFileSync(path.join(workspace, 'node_modules', '.bin', 'a'), 'utf8')).toBe('run');
    expect(fs.readFileSync(path.join(workspace, '-odd name'), 'utf8')).toBe('dash');
  });

  it('packs only the listed files without recursion', async () => {
    const from = path.join(scratch, 'from');
    fs.mkdirSync(path.join(from, 'd'), { recursive: true });
    fs.writeFileSync(path.join(from, 'd', 'kept'), 'k');
    fs.writeFileSync(path.join(from, 'd', 'left'), 'l');
    await unpackArtifact(workspace, packWithTar(from, ['d/kept'], { recursive: false }));
    expect(fs.readdirSync(path.join(workspace, 'd'))).toEqual(['kept']);
  });

  it('fails the stream when tar cannot pack a path', async () => {
    await expect(bytesOf(packWithTar(scratch, ['missing'], { recursive: true }))).rejects.toThrow(
      /tar failed/,
    );
  });

  it('refuses an archive writing below a symlink of the workspace, and writes nothing', async () => {
    const outside = path.join(scratch, 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(workspace, 'app'));
    const src = path.join(scratch, 'src');
    fs.mkdirSync(path.join(src, 'app'), { recursive: true });
    fs.writeFileSync(path.join(src, 'first'), '1');
    fs.writeFileSync(path.join(src, 'app', 'x'), 'through the link');
    await expect(unpackArtifact(workspace, archive(src, ['first', 'app/x']))).rejects.toThrow(
      /below app, a symlink/,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(workspace, 'first'))).toBe(false);
  });

  it('refuses an archive with a member below a link it makes itself', async () => {
    const src = path.join(scratch, 'src');
    fs.mkdirSync(path.join(src, 'real'), { recursive: true });
    fs.writeFileSync(path.join(src, 'real', 'x'), 'x');
    fs.symlinkSync('real', path.join(src, 'alias'));
    const first = path.join(scratch, 'one.tar');
    execFileSync('tar', ['-cf', first, 'alias'], { cwd: src });
    // the same archive again with a file named alias/x appended after the link
    execFileSync('tar', ['-rf', first, '--transform=s,^real,alias,', 'real/x'], { cwd: src });
    execFileSync('gzip', [first]);
    await expect(unpackArtifact(workspace, fs.createReadStream(`${first}.gz`))).rejects.toThrow(
      /below alias, which the archive makes a link/,
    );
  });

  it('refuses a fifo', async () => {
    const src = path.join(scratch, 'src');
    fs.mkdirSync(src);
    execFileSync('mkfifo', [path.join(src, 'pipe')]);
    await expect(unpackArtifact(workspace, archive(src, ['pipe']))).rejects.toThrow(ArtifactRefused);
    expect(fs.existsSync(path.join(workspace, 'pipe'))).toBe(false);
  });
});
