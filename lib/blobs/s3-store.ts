import fs from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertOwnDigest, isDigest, type Digests } from './digest';
import type { BlobInfo, BlobStore, ByteRange } from './store';

export interface S3Location {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

/** `s3://bucket/prefix?endpoint=http://host:9000&region=us-east-1&pathStyle=true`; credentials from the AWS_* environment. */
export function parseS3Url(url: string): S3Location {
  const u = new URL(url);
  if (u.protocol !== 's3:' || !u.hostname)
    throw new Error('must be s3://bucket[/prefix][?endpoint=&region=]');
  const endpoint = u.searchParams.get('endpoint') ?? undefined;
  return {
    bucket: u.hostname,
    prefix: u.pathname.replace(/^\/+|\/+$/g, ''),
    endpoint,
    region: u.searchParams.get('region') ?? process.env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: (u.searchParams.get('pathStyle') ?? (endpoint ? 'true' : 'false')) === 'true',
  };
}

/**
 * The blob's size, as user metadata written with the object: an object whose length differs is
 * still being written (or was cut short) and does not count as stored. S3 itself makes an object
 * visible only once complete, but not every S3-compatible server does.
 */
const SIZE_METADATA = 'co-size';

/** Blobs as objects `<prefix>/<algorithm>/<hex>` in an S3-compatible bucket; staged locally, uploaded in parts. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly location: S3Location,
    readonly stagingDir: string,
  ) {
    this.client = new S3Client({
      region: location.region,
      endpoint: location.endpoint,
      forcePathStyle: location.forcePathStyle,
    });
  }

  private keyOf(digest: string): string {
    if (!isDigest(digest)) throw new Error(`not a digest: ${digest}`);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return [this.location.prefix, algorithm, hex].filter(Boolean).join('/');
  }

  async commit(file: string, digest: string, digests: Digests): Promise<void> {
    try {
      assertOwnDigest(digest, digests);
      const { size } = await fs.promises.stat(file);
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.location.bucket,
          Key: this.keyOf(digest),
          Body: fs.createReadStream(file),
          Metadata: { [SIZE_METADATA]: String(size) },
        },
        queueSize: 2,
        partSize: 8 * 1024 * 1024,
      });
      await upload.done();
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  async stat(digest: string): Promise<{ size: number } | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(digest) }),
      );
      const size = Number(head.ContentLength ?? 0);
      // some S3-compatible servers show an object while it is still being written (s3rver does)
      return head.Metadata?.[SIZE_METADATA] === String(size) ? { size } : undefined;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return undefined;
      throw err;
    }
  }

  async open(digest: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.keyOf(digest),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return out.Body as Readable;
  }

  async remove(digest: string): Promise<void> {
    await this.client.send(
      new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.keyOf(digest) }),
    );
  }

  async *list(): AsyncIterable<BlobInfo> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: this.location.prefix ? `${this.location.prefix}/` : undefined,
          ContinuationToken: token,
        }),
      );
      for (const obj of page.Contents ?? []) {
        const parts = (obj.Key ?? '').split('/');
        const digest = `${parts[parts.length - 2]}:${parts[parts.length - 1]}`;
        if (isDigest(digest)) {
          yield { digest, size: Number(obj.Size ?? 0), modifiedAt: obj.LastModified ?? new Date(0) };
        }
      }
      token = page.NextContinuationToken;
    } while (token);
  }
}
