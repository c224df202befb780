import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { packWithTar } from '../dockyard/gnu-tar';
import { isInside } from '../dockyard/workspace-paths';

/** A workspace walk stops here: a memoized result must not cost more to record than to recompute. */
export const WORKSPACE_WALK_LIMITS = { maxEntries: 200_000, maxDepth: 64 };

/** The platform's own directory in a workspace (large outputs fetched for a step): never a step's result. */
const PLATFORM_DIR = '.co';

/** What a file or link looked like: a change of size, mtime, inode or link target is a change. */
type Manifest = Map<string, string>;

export class WorkspaceTooLarge extends Error {}

async function* walk(root: string, rel: string, depth: number): AsyncGenerator<[string, fs.Dirent]> {
  if (depth > WORKSPACE_WALK_LIMITS.maxDepth) return;
  const dir = await fs.promises.opendir(path.join(root, rel)).catch(() => undefined);
  if (!dir) return;
  for await (const entry of dir) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (child === PLATFORM_DIR) continue;
    if (entry.isDirectory()) yield* walk(root, child, depth + 1);
    else if (entry.isFile() || entry.isSymbolicLink()) yield [child, entry];
  }
}

async function manifestOf(root: string): Promise<{ files: Manifest; sizes: Map<string, number> }> {
  const files: Manifest = new Map();
  const sizes = new Map<string, number>();
  for await (const [rel, entry] of walk(root, '', 0)) {
    if (files.size >= WORKSPACE_WALK_LIMITS.maxEntries) {
      throw new WorkspaceTooLarge(`the workspace holds over ${WORKSPACE_WALK_LIMITS.maxEntries} files`);
    }
    const full = path.join(root, rel);
    const st = await fs.promises.lstat(full).catch(() => undefined);
    if (!st) continue;
    const link = entry.isSymbolicLink() ? await fs.promises.readlink(full).catch(() => '') : '';
    files.set(rel, `${st.size}:${st.mtimeMs}:${st.ino}:${link}`);
    sizes.set(rel, st.size);
  }
  return { files, sizes };
}

/** The files a step created or changed, to be packed: none past `maxBytes` (then `tooLarge` says why). */
export interface Changes {
  files: string[];
  bytes: number;
  tooLarge?: string;
}

/**
 * The workspace as it was before a step, to learn afterwards which files the step created or changed
 * (a memoized step's result besides its outputs and declared artifacts). Deleted files are not part
 * of it: a reuse adds files, it never removes any.
 */
export class WorkspaceChanges {
  private constructor(
    private readonly root: string,
    private readonly before: Manifest | undefined,
    private readonly problem: string | undefined,
  ) {}

  static async before(workspace: string): Promise<WorkspaceChanges> {
    const root = await fs.promises.realpath(workspace);
    try {
      return new WorkspaceChanges(root, (await manifestOf(root)).files, undefined);
    } catch (err) {
      if (!(err instanceof WorkspaceTooLarge)) throw err;
      return new WorkspaceChanges(root, undefined, err.message);
    }
  }

  async after(maxBytes: number): Promise<Changes> {
    if (!this.before) return { files: [], bytes: 0, tooLarge: this.problem };
    let now;
    try {
      now = await manifestOf(this.root);
    } catch (err) {
      if (!(err instanceof WorkspaceTooLarge)) throw err;
      return { files: [], bytes: 0, tooLarge: err.message };
    }
    const files: string[] = [];
    let bytes = 0;
    for (const [rel, sig] of now.files) {
      if (this.before.get(rel) === sig) continue;
      files.push(rel);
      bytes += now.sizes.get(rel) ?? 0;
    }
    files.sort();
    if (bytes > maxBytes) {
      const tooLarge = `the step created or changed ${bytes} bytes of workspace files, over the ${maxBytes} a memoized result keeps`;
      return { files: [], bytes, tooLarge };
    }
    return { files, bytes };
  }

  /** The changed files as one tar.gz (no mtimes: the same changes pack to the same blob). */
  pack(files: string[]): Readable {
    for (const rel of files) {
      if (!isInside(this.root, path.join(this.root, rel))) throw new Error(`${rel} is out of the workspace`);
    }
    return packWithTar(this.root, files, { recursive: false });
  }
}
