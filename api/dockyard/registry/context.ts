import type { Request, Response } from 'express';
import type { Config } from '../../../lib/config';
import type { Db } from '../../../lib/db';
import type { BlobStore } from '../../../lib/blobs';
import type { Project } from '../../../generated/prisma/client';

/** What a registry handler works with: the request, the repository and where blobs live. */
export interface RepoContext {
  db: Db;
  store: BlobStore;
  config: Config;
  req: Request;
  res: Response;
  project: Project;
  name: string;
}
