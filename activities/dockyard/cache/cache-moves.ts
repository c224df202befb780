import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { PlanCache } from '../../../pipeline/cache';
import { artifactPathProblem } from '../../../pipeline/artifact-paths';
import { packWithTar } from '../gnu-tar';
import { ArtifactRefused, checkLinks, unpackArtifact } from '../pack';
import { isInside } from '../workspace-paths';
import type { CacheClient } from './cache-client';
import { resolveHashes } from './hash-files';

export const CACHE_LOG_PREFIX = '[containerops] cache';

/** What a restore learnt and a save needs: the key computed over the workspace, and whether it hit. */
export interface CacheState {
  key: string;
  exact: boolean;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Computes the key (hashFiles over `workspace`), restores the best cache into the workspace and
 * returns what a save needs; undefined when the key itself could not be computed. A cache is an
 * optimisation: its failures are logged, never thrown.
 */
export async function restoreCache(
  client: () => Promise<CacheClient>,
  cache: PlanCache,
  workspace: string,
  log: (line: string) => void,
): Promise<CacheState | undefined> {
  let state: CacheState | undefined;
  try {
    const memo = new Map<string, Promise<string>>();
    const resolve = (t: string) => resolveHashes(t, cache.hashFiles, workspace, memo);
    state = { key: await resolve(cache.key), exact: false };
    const restoreKeys = await Promise.all(cache.restoreKeys.map(resolve));
    const found = await (await client()).restore(state.key, restoreKeys);
    if (!found) {
      log(`${CACHE_LOG_PREFIX}: no cache for key ${state.key}`);
      return state;
    }
    await unpackArtifact(workspace, found.body);
    state.exact = found.exact;
    log(`${CACHE_LOG_PREFIX}: restored ${found.exact ? 'key' : 'from restore key'} ${found.key}`);
  } catch (err) {
    log(`${CACHE_LOG_PREFIX}: not restored: ${message(err)}`);
  }
  return state;
}

/** Saves `paths` of the workspace under the key when the restore missed it; failures are logged. */
export async function saveCache(
  client: () => Promise<CacheClient>,
  state: CacheState | undefined,
  paths: string[],
  workspace: string,
  log: (line: string) => void,
): Promise<void> {
  if (state === undefined || state.exact) return;
  try {
    const body = await packCache(workspace, paths);
    if (!body) {
      log(`${CACHE_LOG_PREFIX}: not saved: none of ${paths.join(', ')} exists`);
      return;
    }
    const saved = await (await client()).save(state.key, body);
    if (saved.refused) log(`${CACHE_LOG_PREFIX}: not saved: ${saved.refused}`);
    else if (saved.saved) log(`${CACHE_LOG_PREFIX}: saved key ${state.key} (${saved.size} bytes)`);
    else log(`${CACHE_LOG_PREFIX}: key ${state.key} was saved meanwhile by another run`);
  } catch (err) {
    log(`${CACHE_LOG_PREFIX}: not saved: ${message(err)}`);
  }
}

/** The existing paths as one tar.gz; undefined when none exists. */
async function packCache(workspace: string, paths: string[]): Promise<Readable | undefined> {
  const root = await fs.promises.realpath(workspace);
  const entries: string[] = [];
  for (const rel of paths) {
    const problem = artifactPathProblem(rel);
    if (problem) throw new ArtifactRefused(`cache path ${rel} ${problem}`);
    const real = await fs.promises.realpath(path.join(root, rel)).catch(() => undefined);
    if (!real) continue;
    if (!isInside(root, real)) throw new ArtifactRefused(`cache path ${rel} resolves out of the workspace`);
    await checkLinks(root, path.join(root, rel));
    entries.push(path.relative(root, path.join(root, rel)) || '.');
  }
  if (entries.length === 0) return undefined;
  // no mtimes: identical caches pack to identical bytes, so they share one blob
  return packWithTar(root, entries, { recursive: true });
}
