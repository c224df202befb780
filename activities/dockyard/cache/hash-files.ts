import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

/** A workspace walk for `hashFiles` stops here: a key must not cost more than the step it saves. */
export const HASH_FILES_LIMITS = { maxEntries: 200_000, maxMillis: 20_000, maxDepth: 64 };

export class HashFilesError extends Error {}

/** Directories no dependency lock file lives in, and that would make the walk slow. */
const SKIPPED = new Set(['.git', 'node_modules']);

async function* walk(root: string, rel: string, depth: number): AsyncGenerator<string> {
  if (depth > HASH_FILES_LIMITS.maxDepth) return;
  const dir = await fs.promises.opendir(path.join(root, rel));
  for await (const entry of dir) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    // symlinks are not followed: a link out of the workspace must not decide a key
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) yield* walk(root, child, depth + 1);
    else if (entry.isFile()) yield child;
  }
}

/**
 * GitHub's `hashFiles`: the sha256 of the sha256 of every workspace file matching any glob, in
 * path order; '' when none matches. Bounded in entries and time (a 422-like failure past them).
 */
export async function hashFiles(workspace: string, globs: string[]): Promise<string> {
  const match = picomatch(globs, { dot: true });
  const started = Date.now();
  const matched: string[] = [];
  let seen = 0;
  for await (const file of walk(workspace, '', 0)) {
    if (++seen > HASH_FILES_LIMITS.maxEntries || Date.now() - started > HASH_FILES_LIMITS.maxMillis) {
      throw new HashFilesError(
        `hashFiles(${globs.join(', ')}) gave up after ${seen} files: narrow the pattern or the workspace`,
      );
    }
    if (match(file)) matched.push(file);
  }
  if (matched.length === 0) return '';
  const outer = crypto.createHash('sha256');
  for (const file of matched.sort()) {
    const inner = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(path.join(workspace, file))) inner.update(chunk as Buffer);
    outer.update(inner.digest());
  }
  return outer.digest('hex');
}

/** Replaces each `${CO_HASH_n}` of a rendered key by the hash of its globs' files. */
export async function resolveHashes(
  template: string,
  globsByName: Record<string, string[]>,
  workspace: string,
  memo: Map<string, Promise<string>>,
): Promise<string> {
  let out = template;
  for (const [name, globs] of Object.entries(globsByName)) {
    const token = `\${${name}}`;
    if (!out.includes(token)) continue;
    if (!memo.has(name)) memo.set(name, hashFiles(workspace, globs));
    out = out.split(token).join(await memo.get(name)!);
  }
  return out;
}
