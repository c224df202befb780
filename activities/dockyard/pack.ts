import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import { artifactPathProblem } from '../../pipeline/artifact-paths';
import { unpackWithTar } from './gnu-tar';
import { isInside } from './workspace-paths';

export class ArtifactRefused extends Error {}

/**
 * Packs `relPath` of the workspace as a tar.gz stream. Refuses paths outside the workspace and
 * symlinks that point out of it (they would leak the worker's files into the artifact's readers).
 */
export async function packArtifact(workspace: string, relPath: string): Promise<Readable> {
  const problem = artifactPathProblem(relPath);
  if (problem) throw new ArtifactRefused(`artifact path ${relPath} ${problem}`);
  const root = await fs.promises.realpath(workspace);
  const entry = path.join(root, relPath);
  const real = await fs.promises.realpath(entry).catch(() => undefined);
  if (!real) throw new ArtifactRefused(`artifact path ${relPath} does not exist in the workspace`);
  if (!isInside(root, real))
    throw new ArtifactRefused(`artifact path ${relPath} resolves out of the workspace`);
  await checkLinks(root, entry);
  // tar's streams are minipass streams: Readable.from gives fetch a Node stream; no mtimes, so the
  // same files pack to the same bytes (one blob, and a stable digest for memoized steps' inputs)
  const pack = create({ gzip: true, cwd: root, portable: true, follow: false, noMtime: true }, [
    path.relative(root, entry) || '.',
  ]);
  return Readable.from(pack as AsyncIterable<Buffer>);
}

/** Refuses symlinks under `at` that point out of the workspace. */
export async function checkLinks(root: string, at: string): Promise<void> {
  const st = await fs.promises.lstat(at);
  if (st.isSymbolicLink()) {
    const target = path.resolve(path.dirname(at), await fs.promises.readlink(at));
    if (!isInside(root, target)) {
      throw new ArtifactRefused(`${path.relative(root, at)} is a symlink out of the workspace`);
    }
    return;
  }
  if (!st.isDirectory()) return;
  for (const name of await fs.promises.readdir(at)) await checkLinks(root, path.join(at, name));
}

/**
 * Unpacks a tar.gz stream into the workspace with GNU tar (activities/dockyard/gnu-tar.ts); an
 * archive with any member that would land outside it, or write through a symlink, is refused whole.
 */
export async function unpackArtifact(workspace: string, source: Readable): Promise<void> {
  await fs.promises.mkdir(workspace, { recursive: true });
  const root = await fs.promises.realpath(workspace);
  await unpackWithTar(root, source, (problem) => new ArtifactRefused(`artifact refused: ${problem}`));
}
