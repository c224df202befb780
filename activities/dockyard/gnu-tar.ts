import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { entryProblem } from './workspace-paths';

/**
 * Packing and unpacking workspace trees with the system's GNU tar: a node_modules of thousands of
 * files takes tar a fraction of a second where writing it file by file from JS took seconds. What
 * enters the workspace is still decided here, in JS, before tar writes anything: see `checkArchive`.
 */

/** The member types an archive may carry: no devices, fifos or sparse files. */
const WRITABLE = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** Runs tar to its end; its stderr (bounded) in the error when it fails. */
function tarExit(child: ReturnType<typeof spawn>): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`tar failed (${signal ?? code}): ${stderr.trim()}`)),
    );
  });
}

/**
 * `entries` (relative to `root`) as one tar.gz stream, made by GNU tar: names sorted, no mtimes,
 * owners or atimes, and gzip without a timestamp, so the same files pack to the same bytes (one
 * content-addressed blob). `recursive: false` packs exactly the listed files. Symlinks are stored as
 * links, never followed. The stream fails (never ends cleanly) when tar fails.
 */
export function packWithTar(root: string, entries: string[], opts: { recursive: boolean }): Readable {
  const child = spawn(
    'tar',
    [
      ...['--create', '--file=-', `--directory=${root}`, '--format=gnu', '--sort=name'],
      ...['--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'],
      ...(opts.recursive ? [] : ['--no-recursion']),
      // names from stdin, NUL-separated, taken literally (a name starting with '-' is not an option)
      ...['--null', '--verbatim-files-from', '--files-from=-'],
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = tarExit(child);
  exited.catch(() => undefined); // awaited once the bytes are read; not unhandled before
  child.stdin.on('error', () => undefined); // tar failing early closes its stdin: its exit says why
  child.stdin.end(entries.map((e) => `${e}\0`).join(''));
  const gzip = zlib.createGzip();
  const piped = pipeline(child.stdout, gzip).catch((err: unknown) => err);
  async function* bytes(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of gzip) yield chunk as Buffer;
      const failed = await piped;
      if (failed) throw failed;
      await exited;
    } finally {
      if (child.exitCode === null) child.kill();
    }
  }
  return Readable.from(bytes());
}

/**
 * Why the archive's members may not be written into `root`, or undefined: every name and link
 * target inside it (`entryProblem`), only files, directories and links, and no member below a link
 * (one in the archive, or one already in the workspace), so nothing is written through a symlink.
 */
async function checkArchive(root: string, file: string): Promise<string | undefined> {
  let problem: string | undefined;
  const names: string[] = [];
  const links = new Set<string>();
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      const name = path.posix.normalize(entry.path).replace(/\/+$/, '');
      if (!WRITABLE.has(entry.type)) problem ??= `${entry.path} is a ${entry.type}, not a file or directory`;
      else problem ??= entryProblem(root, { path: entry.path, type: entry.type, linkpath: entry.linkpath });
      if (entry.type !== 'Directory') links.add(name);
      names.push(name);
      if (entry.type === 'Link' && entry.linkpath) names.push(path.posix.normalize(entry.linkpath));
      entry.resume();
    },
  });
  await pipeline(fs.createReadStream(file), parser as unknown as NodeJS.WritableStream);
  if (problem) return problem;
  return await belowALink(root, names, links);
}

/** The first name below a non-directory member of the archive or an existing symlink of `root`. */
async function belowALink(root: string, names: string[], members: Set<string>): Promise<string | undefined> {
  const seen = new Map<string, boolean>();
  for (const name of names) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dir === '.' || dir === '') continue;
      if (members.has(dir)) return `${name} lies below ${dir}, which the archive makes a link or file`;
      if (!seen.has(dir)) {
        const st = await fs.promises.lstat(path.join(root, dir)).catch(() => undefined);
        seen.set(dir, st?.isSymbolicLink() ?? false);
      }
      if (seen.get(dir)) return `${name} lies below ${dir}, a symlink in the workspace`;
    }
  }
  return undefined;
}

/**
 * Unpacks a tar.gz stream into `root` (absolute, real) with GNU tar, once `checkArchive` found every
 * member safe; else nothing is written and the problem is thrown as `refused(problem)`. The archive
 * is spooled to a private temporary file, so what is checked is exactly what tar reads.
 */
export async function unpackWithTar(
  root: string,
  source: Readable,
  refused: (problem: string) => Error,
): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'co-unpack-'));
  try {
    const file = path.join(dir, 'archive.tgz');
    await pipeline(source, new PassThrough(), fs.createWriteStream(file, { mode: 0o600 }));
    const problem = await checkArchive(root, file);
    if (problem) throw refused(problem);
    const child = spawn(
      'tar',
      [
        ...['--extract', `--file=${file}`, `--directory=${root}`],
        // owned by the worker, modes under its umask, existing directories left as they are,
        // mtimes now; no -P: tar also refuses '..' and strips a leading '/' on its own
        ...['--no-same-owner', '--no-same-permissions', '--no-overwrite-dir', '--touch'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await tarExit(child);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
