import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertOwnDigest, isDigest, type Digests } from './digest';
import type { BlobInfo, BlobStore, ByteRange } from './store';

/**
 * Reads in 256 KiB chunks rather than Node's 64 KiB: a blob download is then a quarter of the
 * writes to the socket (measured on a 256 MiB file served over HTTP to curl: 20-25 % faster; 1 MiB
 * was no faster), at 256 KiB of buffer per download.
 */
const READ_CHUNK_BYTES = 256 * 1024;

/** Blobs as files under `root/<algorithm>/<2 hex>/<hex>`; staging under `root/uploads` (same filesystem: rename is atomic). */
export class FilesystemBlobStore implements BlobStore {
  readonly kind = 'filesystem' as const;
  readonly stagingDir: string;

  constructor(private readonly root: string) {
    this.stagingDir = path.join(root, 'uploads');
  }

  private pathOf(digest: string): string {
    if (!isDigest(digest)) throw new Error(`not a digest: ${digest}`);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(this.root, algorithm, hex.slice(0, 2), hex);
  }

  async commit(file: string, digest: string, digests: Digests): Promise<void> {
    try {
      assertOwnDigest(digest, digests);
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    const target = this.pathOf(digest);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(file, target);
  }

  async stat(digest: string): Promise<{ size: number } | undefined> {
    try {
      const st = await fs.promises.stat(this.pathOf(digest));
      return { size: st.size };
    } catch {
      return undefined;
    }
  }

  async open(digest: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(digest);
    const handle = await fs.promises.open(file, 'r');
    return handle.createReadStream({
      highWaterMark: READ_CHUNK_BYTES,
      ...(range ? { start: range.start, end: range.end } : {}),
    });
  }

  async remove(digest: string): Promise<void> {
    await fs.promises.rm(this.pathOf(digest), { force: true });
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const algorithm of ['sha256', 'sha512']) {
      const base = path.join(this.root, algorithm);
      const prefixes = await fs.promises.readdir(base).catch(() => [] as string[]);
      for (const prefix of prefixes) {
        for (const hex of await fs.promises.readdir(path.join(base, prefix)).catch(() => [] as string[])) {
          const st = await fs.promises.stat(path.join(base, prefix, hex)).catch(() => undefined);
          if (st) yield { digest: `${algorithm}:${hex}`, size: st.size, modifiedAt: st.mtime };
        }
      }
    }
  }
}
