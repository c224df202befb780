import type { BlobStore } from '../../lib/blobs';
import type { Db } from '../../lib/db';

/** Where logs live: rows in the LogLine table, and the blobs of attempts log retention archived. */
export interface LogStorage {
  db: Db;
  /** the dockyard blob store, made on first use */
  blobs: () => BlobStore;
}
