import path from 'node:path';
import type { Config } from '../config';
import { FilesystemBlobStore } from './fs-store';
import { parseS3Url, S3BlobStore } from './s3-store';
import type { BlobStore } from './store';

export type { BlobStore } from './store';

/** The configured blob store: `CO_BLOB_STORE=s3://...` or the filesystem under `$CO_DATA_DIR/blobs`. */
export function createBlobStore(config: Config): BlobStore {
  const root = path.join(config.dataDir, 'blobs');
  if (config.CO_BLOB_STORE?.startsWith('s3://')) {
    return new S3BlobStore(parseS3Url(config.CO_BLOB_STORE), path.join(root, 'uploads'));
  }
  return new FilesystemBlobStore(root);
}
