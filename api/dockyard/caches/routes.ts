import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { createBlobStore, type BlobStore } from '../../../lib/blobs';
import { forbidden, invalid, notFound } from '../../../lib/errors';
import { MAX_CACHE_KEY_LENGTH, MAX_RESTORE_KEYS } from '../../../pipeline/cache';
import type { TriggerContext } from '../../../pipeline/trigger-context';
import type { ApiDeps } from '../../deps';
import type { RouteDef } from '../../http/route';
import { findRun } from '../../runs/lookup';
import { digestHeader } from '../artifacts/digest-header';
import { cacheScopes } from './scope';
import { findCache, saveCache } from './store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_PAGE = 200;

/** A key or restore key from the query: printable text, bounded. */
function keyParam(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CACHE_KEY_LENGTH) {
    throw invalid(`${path} is required`, [
      { path, message: `must be 1 to ${MAX_CACHE_KEY_LENGTH} characters` },
    ]);
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw invalid(`${path} is not valid`, [{ path, message: 'must not contain control characters' }]);
  }
  return value;
}

function restoreKeysParam(req: Request): string[] {
  const raw = req.query.restore;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > MAX_RESTORE_KEYS) {
    throw invalid('too many restore keys', [{ path: 'restore', message: `at most ${MAX_RESTORE_KEYS}` }]);
  }
  return list.map((k, i) => keyParam(k, `restore[${i}]`));
}

function view(row: {
  id: string;
  scope: string;
  key: string;
  digest: string;
  size: bigint;
  runId: string | null;
  createdAt: Date;
  lastUsedAt: Date;
}) {
  return { ...row, size: Number(row.size) };
}

/** The steps' side: restore by key and restore keys, save after success (run tokens). */
function stepRoutes({ db, config }: ApiDeps, store: () => BlobStore): RouteDef[] {
  const scopesOf = (run: { triggerInfo: unknown }) =>
    cacheScopes((run.triggerInfo as TriggerContext | null) ?? undefined, config.CO_CACHE_DEFAULT_BRANCH);
  return [
    {
      method: 'get',
      path: '/projects/:project/runs/:run/cache',
      permission: { project: 'read' },
      runToken: true,
      summary:
        "Restores a step cache for this run (?key=&restore=prefix...): the tar.gz, X-Cache-Key and X-Cache-Exact; 404 when none matches. Scopes: the run's branch, its pull request's base, the default branch",
      async handler(req, res, { project }) {
        const run = await findRun(db, project!, String(req.params.run));
        const key = keyParam(req.query.key, 'key');
        const found = await findCache(db, project!.id, scopesOf(run).read, key, restoreKeysParam(req));
        if (!found) throw notFound(`cache ${JSON.stringify(key)}`);
        res.setHeader('Content-Type', 'application/gzip');
        res.setHeader('Content-Length', String(found.size));
        res.setHeader('Digest', digestHeader(found.digest));
        res.setHeader('X-Cache-Key', encodeURIComponent(found.key));
        res.setHeader('X-Cache-Scope', encodeURIComponent(found.scope));
        res.setHeader('X-Cache-Exact', String(found.exact));
        await pipeline(await store().open(found.digest), res);
      },
    },
    {
      method: 'put',
      path: '/projects/:project/runs/:run/cache',
      permission: { project: 'write-artifacts' },
      runToken: true,
      summary:
        "Saves a step cache (?key=, the tar.gz body) in the run's branch scope -> 201 {id, key, scope, digest, size}; 200 when the key is already saved; 403 for runs of fork pull requests; 413 past the project's quota",
      async handler(req, res, { project, actor }) {
        const run = await findRun(db, project!, String(req.params.run));
        if (actor.run && actor.run.runId !== run.id)
          throw forbidden('a run token writes only to its own run');
        const key = keyParam(req.query.key, 'key');
        const { write } = scopesOf(run);
        if (!write) throw forbidden('a run of a pull request from a fork reads caches but never writes them');
        const saved = await saveCache(db, store(), req, {
          projectId: project!.id,
          scope: write,
          key,
          runId: run.id,
          quotaBytes: config.CO_CACHE_QUOTA_BYTES,
        });
        const { id, scope, digest, size } = saved.entry;
        res.status(saved.saved ? 201 : 200).json({ id, key, scope, digest, size, saved: saved.saved });
      },
    },
  ];
}

/** dockyard: a project's step caches (`cache:` of a step), listed and deleted by users, used by steps. */
export function cacheRoutes(deps: ApiDeps): RouteDef[] {
  const { db, config } = deps;
  let blobStore: BlobStore | undefined;
  const store = () => (blobStore ??= createBlobStore(config));
  return [
    {
      method: 'get',
      path: '/projects/:project/caches',
      permission: { project: 'read' },
      summary:
        "A project's step caches, most recently used first (?scope=&key=prefix&limit=&cursor=): {items: [{id, scope, key, digest, size, runId, createdAt, lastUsedAt}], totalSize, quota, nextCursor}",
      async handler(req, res, { project }) {
        const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), MAX_PAGE);
        const offset = req.query.cursor === undefined ? 0 : Number(req.query.cursor);
        if (!Number.isInteger(offset) || offset < 0) {
          throw invalid('cursor is not valid', [{ path: 'cursor', message: 'use nextCursor of a page' }]);
        }
        const where = {
          projectId: project!.id,
          ...(req.query.scope !== undefined ? { scope: keyParam(req.query.scope, 'scope') } : {}),
          ...(req.query.key !== undefined ? { key: { startsWith: keyParam(req.query.key, 'key') } } : {}),
        };
        const [rows, total] = await Promise.all([
          db.cacheEntry.findMany({
            where,
            orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }],
            skip: offset,
            take: limit + 1,
          }),
          db.cacheEntry.aggregate({ where: { projectId: project!.id }, _sum: { size: true } }),
        ]);
        res.json({
          items: rows.slice(0, limit).map(view),
          totalSize: Number(total._sum.size ?? 0),
          quota: config.CO_CACHE_QUOTA_BYTES,
          nextCursor: rows.length > limit ? String(offset + limit) : null,
        });
      },
    },
    {
      method: 'delete',
      path: '/projects/:project/caches/:id',
      permission: { project: 'delete-artifacts' },
      summary: 'Deletes a step cache; the next run with its key saves it anew',
      async handler(req, res, { project }) {
        const id = String(req.params.id);
        if (!UUID.test(id)) throw notFound(`cache ${JSON.stringify(id)}`);
        const { count } = await db.cacheEntry.deleteMany({ where: { id, projectId: project!.id } });
        if (count === 0) throw notFound(`cache ${JSON.stringify(id)}`);
        res.status(204).end();
      },
    },
    ...stepRoutes(deps, store),
  ];
}
