import type { Readable } from 'node:stream';
import type { Digests } from './digest';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

export interface BlobInfo {
  digest: string;
  size: number;
  modifiedAt: Date;
}

/**
 * Content-addressed blob storage. Content arrives as a staged temp file (see ingest.ts) whose
 * digests were computed while it was written; `commit` files it under its digest atomically.
 */
export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  /** where uploads are staged (always local disk) */
  readonly stagingDir: string;
  /**
   * Files a staged temp file under `digest`, atomically: readers see the whole blob or none. Refuses
   * (DigestMismatchError) a digest that is not one of `digests`. Consumes the temp file either way.
   */
  commit(file: string, digest: string, digests: Digests): Promise<void>;
  /** undefined for a blob that is missing or not whole */
  stat(digest: string): Promise<{ size: number } | undefined>;
  open(digest: string, range?: ByteRange): Promise<Readable>;
  remove(digest: string): Promise<void>;
  list(): AsyncIterable<BlobInfo>;
}
