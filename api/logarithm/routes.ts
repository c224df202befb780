import { createBlobStore, type BlobStore } from '../../lib/blobs';
import type { ApiDeps } from '../deps';
import type { RouteDef } from '../http/route';
import { parseLogRequest } from './request';
import { followLog } from './sse';
import type { LogStorage } from './storage';
import { LogTails } from './tail';
import { resolveLogTarget } from './target';
import { sendLogText } from './text';

/** logarithm: a step's log as text, or followed live as Server-Sent Events. */
export function logarithmRoutes({ db, config, logger }: ApiDeps): RouteDef[] {
  let blobStore: BlobStore | undefined;
  const storage: LogStorage = { db, blobs: () => (blobStore ??= createBlobStore(config)) };
  const tails = new LogTails(storage, logger);
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run/steps/:step/logs',
      permission: { project: 'read' },
      summary:
        "A step's log as text/plain (?matrix=, ?attempt=, ?timestamps=1); ?follow=1 or Accept: text/event-stream follows it live (Last-Event-ID resumes)",
      async handler(req, res, { project }) {
        const request = parseLogRequest(req);
        const target = await resolveLogTarget(
          db,
          project!.id,
          String(req.params.run),
          String(req.params.step),
          request.matrixKey,
        );
        if (request.follow) {
          await followLog(storage, tails, res, target, request, logger);
          return;
        }
        try {
          await sendLogText(storage, res, target.key, request);
        } catch (err) {
          if (!res.headersSent) throw err;
          // mid-stream: cut the response so the client sees an incomplete body, never a short "complete" one
          logger.warn({ err, log: target.key }, 'log text stream failed');
          res.destroy();
        }
      },
    },
  ];
}
