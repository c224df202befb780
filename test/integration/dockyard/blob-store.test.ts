import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FilesystemBlobStore } from '../../../lib/blobs/fs-store';
import { stageAndHash } from '../../../lib/blobs/ingest';
import { S3BlobStore } from '../../../lib/blobs/s3-store';
import type { BlobStore } from '../../../lib/blobs/store';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../../support/s3-server';

// One contract, two stores: the filesystem one and the S3 one against a real S3-compatible server
// (s3rver, in a process of its own). What dockyard relies on: content goes in and out by streams,
// a blob is filed only under the digest of its content, it appears whole or not at all, a missing
// blob says so, and a blob much larger than the memory the store may use passes through.

jest.setTimeout(180_000);

const MiB = 1024 * 1024;

let s3: S3Server;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-blobs-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  s3 = await startS3Server();
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
});
afterAll(async () => {
  await s3?.stop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const stores: Array<[string, () => BlobStore]> = [
  ['filesystem', () => new FilesystemBlobStore(tempDir())],
  [
    's3',
    () =>
      new S3BlobStore(
        {
          bucket: s3.bucket,
          prefix: `t-${crypto.randomBytes(4).toString('hex')}`,
          endpoint: s3.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
        },
        tempDir(),
      ),
  ],
];

/** `size` pseudo-random bytes made on the fly from `seed`: the test never holds them either. */
function generated(size: number, seed: string): Readable {
  let made = 0;
  let block = crypto.createHash('sha512').update(seed).digest();
  return new Readable({
    read() {
      if (made >= size) return this.push(null);
      const chunk = Buffer.alloc(Math.min(256 * 1024, size - made));
      for (let i = 0; i < chunk.length; i += block.length) {
        block = crypto.createHash('sha512').update(block).digest();
        block.copy(chunk, i);
      }
      made += chunk.length;
      this.push(chunk);
    },
  });
}

async function put(store: BlobStore, source: Readable | Buffer) {
  const staged = await stageAndHash(
    Buffer.isBuffer(source) ? Readable.from([source]) : source,
    store.stagingDir,
  );
  await store.commit(staged.file, staged.digests.sha256, staged.digests);
  return staged;
}

async function sha256Of(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  await pipeline(stream, async function* (source) {
    for await (const chunk of source) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  });
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

describe.each(stores)('BlobStore contract: %s', (_kind, makeStore) => {
  let store: BlobStore;
  beforeEach(() => {
    store = makeStore();
  });

  test('content goes in and comes back out by streams, whole and by byte range, under either digest', async () => {
    const content = crypto.randomBytes(300_000);
    const staged = await put(store, content);
    await store.commit(
      (await stageAndHash(Readable.from([content]), store.stagingDir)).file,
      staged.digests.sha512,
      staged.digests,
    );

    expect(await store.stat(staged.digests.sha256)).toEqual({ size: content.length });
    expect(await store.stat(staged.digests.sha512)).toEqual({ size: content.length });
    const whole = await sha256Of(await store.open(staged.digests.sha256));
    expect(whole).toEqual({ digest: staged.digests.sha256, size: content.length });
    const fromSha512 = await sha256Of(await store.open(staged.digests.sha512));
    expect(fromSha512.digest).toBe(staged.digests.sha256);

    const chunks: Buffer[] = [];
    for await (const chunk of await store.open(staged.digests.sha256, { start: 1000, end: 1999 }))
      chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(content.subarray(1000, 2000));
    // the staged temp files were consumed
    expect(fs.readdirSync(store.stagingDir)).toEqual([]);
  });

  test('an empty blob is a blob', async () => {
    const staged = await put(store, Buffer.alloc(0));
    expect(await store.stat(staged.digests.sha256)).toEqual({ size: 0 });
    expect(await sha256Of(await store.open(staged.digests.sha256))).toEqual({
      digest: staged.digests.sha256,
      size: 0,
    });
  });

  test('content is never filed under a digest that is not its own', async () => {
    const staged = await stageAndHash(Readable.from([Buffer.from('the real content')]), store.stagingDir);
    const other = `sha256:${crypto.createHash('sha256').update('other content').digest('hex')}`;

    await expect(store.commit(staged.file, other, staged.digests)).rejects.toThrow(/digest/);

    expect(await store.stat(other)).toBeUndefined();
    expect(await store.stat(staged.digests.sha256)).toBeUndefined();
    expect(fs.existsSync(staged.file)).toBe(false);
  });

  test('a missing blob: stat says undefined, open rejects, remove is a no-op', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    expect(await store.stat(missing)).toBeUndefined();
    await expect(store.open(missing)).rejects.toThrow();
    await expect(store.remove(missing)).resolves.toBeUndefined();
  });

  test('a blob appears whole or not at all while it is committed', async () => {
    const size = 20 * MiB;
    const staged = await stageAndHash(generated(size, 'atomic'), store.stagingDir);
    const seen: Array<number | undefined> = [];
    let committing = true;
    const watching = (async () => {
      while (committing) {
        seen.push((await store.stat(staged.digests.sha256))?.size);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await store.commit(staged.file, staged.digests.sha256, staged.digests);
    committing = false;
    await watching;

    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => s !== undefined && s !== size)).toEqual([]);
    expect(await store.stat(staged.digests.sha256)).toEqual({ size });
  });

  test('list shows what is stored, remove takes it away', async () => {
    const a = await put(store, Buffer.from('a'));
    const b = await put(store, Buffer.from('bb'));
    const listed = new Map<string, number>();
    for await (const info of store.list()) listed.set(info.digest, info.size);
    expect(listed).toEqual(
      new Map([
        [a.digests.sha256, 1],
        [b.digests.sha256, 2],
      ]),
    );
    await store.remove(a.digests.sha256);
    expect(await store.stat(a.digests.sha256)).toBeUndefined();
    expect(await store.stat(b.digests.sha256)).toEqual({ size: 2 });
  });

  test('a 192 MiB blob goes in and out without the store ever holding it', async () => {
    const size = 192 * MiB;
    let peak = 0;
    const base = process.memoryUsage();
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers - base.arrayBuffers + (now.heapUsed - base.heapUsed));
    }, 5);
    try {
      const staged = await put(store, generated(size, 'large'));
      const back = await sha256Of(await store.open(staged.digests.sha256));
      expect(back).toEqual({ digest: staged.digests.sha256, size });
    } finally {
      clearInterval(sampler);
    }
    // parts in flight, stream buffers and garbage not yet collected (measured: ~32 MiB on the
    // filesystem, ~64 MiB on S3), never the blob itself
    expect(peak).toBeLessThan(size / 2);
  });
});
