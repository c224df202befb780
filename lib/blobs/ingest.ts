import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digests } from './digest';

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob exceeds ${limit} bytes`);
  }
}

export interface StagedBlob {
  /** temp file in the staging directory; commit it or remove it */
  file: string;
  size: number;
  digests: Digests;
}

/** A transform that hashes (sha256 and sha512) and counts what passes through, refusing more than `limit` bytes. */
export function hashingCounter(limit = Number.POSITIVE_INFINITY) {
  const sha256 = crypto.createHash('sha256');
  const sha512 = crypto.createHash('sha512');
  let size = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > limit) return done(new BlobTooLargeError(limit));
      sha256.update(chunk);
      sha512.update(chunk);
      done(null, chunk);
    },
  });
  return {
    transform,
    result: (): { size: number; digests: Digests } => ({
      size,
      digests: { sha256: `sha256:${sha256.digest('hex')}`, sha512: `sha512:${sha512.digest('hex')}` },
    }),
  };
}

export function stagingFile(stagingDir: string): string {
  return path.join(stagingDir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}.part`);
}

/** Streams `source` into a new temp file under `stagingDir`, hashing as it goes; never buffers the blob. */
export async function stageStream(
  source: Readable,
  stagingDir: string,
  opts: { limit?: number; file?: string; append?: boolean } = {},
): Promise<{ file: string; written: number }> {
  await fs.promises.mkdir(stagingDir, { recursive: true });
  const file = opts.file ?? stagingFile(stagingDir);
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      if (opts.limit !== undefined && written > opts.limit) return done(new BlobTooLargeError(opts.limit));
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, fs.createWriteStream(file, { flags: opts.append ? 'a' : 'w' }));
  } catch (err) {
    if (!opts.append) await fs.promises.rm(file, { force: true });
    throw err;
  }
  return { file, written };
}

/** Hashes a staged file by streaming it once. */
export async function hashFile(file: string): Promise<{ size: number; digests: Digests }> {
  const hasher = hashingCounter();
  await pipeline(fs.createReadStream(file), hasher.transform, async function* (source) {
    for await (const _ of source) {
      // drain: the hashing happens in the transform
    }
  });
  return hasher.result();
}

/** Streams `source` to a temp file and hashes it in the same pass. */
export async function stageAndHash(
  source: Readable,
  stagingDir: string,
  limit?: number,
): Promise<StagedBlob> {
  await fs.promises.mkdir(stagingDir, { recursive: true });
  const file = stagingFile(stagingDir);
  const hasher = hashingCounter(limit);
  try {
    await pipeline(source, hasher.transform, fs.createWriteStream(file));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  const { size, digests } = hasher.result();
  return { file, size, digests };
}
