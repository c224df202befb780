import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';

/** What every route module is built from. */
export interface ApiDeps {
  config: Config;
  db: Db;
  temporal: Connection;
  client: Client;
  logger: Logger;
}
