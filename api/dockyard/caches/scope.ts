import type { TriggerContext } from '../../../pipeline/trigger-context';

/** Where a run reads caches from, in order, and where it saves (undefined: it never saves). */
export interface CacheScopes {
  read: string[];
  write?: string;
}

/**
 * A run's cache scopes: its own branch, then the branch its pull request targets, then the
 * default branch. Runs without a branch (API, schedules, tags) use the default branch's scope.
 * A pull request from a fork reads but never writes: its code could poison what later runs restore.
 */
export function cacheScopes(trigger: TriggerContext | undefined, fallbackDefault: string): CacheScopes {
  const defaultBranch = trigger?.defaultBranch ?? fallbackDefault;
  const own = trigger?.branch ?? defaultBranch;
  const read = [...new Set([own, trigger?.baseBranch, defaultBranch].filter((b): b is string => !!b))];
  return trigger?.fork ? { read } : { read, write: own };
}
