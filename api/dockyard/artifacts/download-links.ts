import type { Request } from 'express';
import type { BlobStore } from '../../../lib/blobs';
import type { Db } from '../../../lib/db';
import { notFound, unauthorized } from '../../../lib/errors';
import { signToken, verifyToken } from '../../../lib/signed-tokens';
import { ARTIFACT_NAME } from '../../../pipeline/artifact-paths';
import type { RouteDef } from '../../http/route';
import { findRun } from '../../runs/lookup';
import { sendArtifact } from './store';

/** How long a download link works: long enough to click, short enough that a leaked link soon is worthless. */
export const DOWNLOAD_LINK_MS = 5 * 60_000;
const TOKEN = /^cods_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const keyOf = (req: Request) => req.app.locals.signingKey as Buffer;

/**
 * A plain link to one artifact: RBAC is checked when the link is issued (`read` on the project),
 * the link names that artifact's run, name and digest and expires in minutes, so the browser can
 * download it itself (streamed to disk, never held in the page's memory).
 */
export function downloadLinkRoutes(db: Db, store: () => BlobStore): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/projects/:project/runs/:run/artifacts/:name/link',
      permission: { project: 'read' },
      summary:
        'A download link for one artifact, valid for 5 minutes without a credential -> {url, expiresAt}',
      async handler(req, res, { project }) {
        const run = await findRun(db, project!, String(req.params.run));
        const name = String(req.params.name);
        const row = ARTIFACT_NAME.test(name)
          ? await db.artifact.findUnique({ where: { runId_name: { runId: run.id, name } } })
          : null;
        if (!row || row.kind !== 'artifact') throw notFound(`artifact ${JSON.stringify(name)}`);
        const exp = Date.now() + DOWNLOAD_LINK_MS;
        const token = signToken(keyOf(req), {
          kind: 'download',
          runId: run.id,
          name,
          digest: row.digest,
          exp,
        });
        res.status(201).json({ url: `/api/v1/dockyard/downloads/${token}`, expiresAt: new Date(exp) });
      },
    },
    {
      method: 'get',
      path: '/dockyard/downloads/:token',
      permission: 'public',
      summary: 'Downloads the artifact a download link names (401 when the link is forged or expired)',
      async handler(req, res) {
        const token = String(req.params.token);
        const claims = TOKEN.test(token) ? verifyToken(keyOf(req), token) : undefined;
        if (claims?.kind !== 'download') throw unauthorized('the download link is invalid or has expired');
        const row = await db.artifact.findUnique({
          where: { runId_name: { runId: claims.runId, name: claims.name } },
        });
        // the artifact was replaced since the link was issued: the link named other bytes
        if (!row || row.digest !== claims.digest) throw notFound(`artifact ${JSON.stringify(claims.name)}`);
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        await sendArtifact(db, store(), req, res, {
          runId: claims.runId,
          name: claims.name,
          kind: 'artifact',
        });
      },
    },
  ];
}
