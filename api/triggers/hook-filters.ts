import picomatch from 'picomatch';
import type { PlanTriggers } from '../../pipeline';
import type { HookEvent } from './hook-events';

const DEFAULT_PULL_REQUEST_TYPES = ['opened', 'synchronize', 'reopened'];

const matchesAny = (value: string, globs: string[]) => picomatch.isMatch(value, globs, { dot: true });

/**
 * Whether a delivery starts the pipeline, by its `on:` (GitHub Actions' rules): undefined when it
 * does, else the reason it does not.
 */
export function filterReason(triggers: PlanTriggers | undefined, e: HookEvent): string | undefined {
  if (e.event === 'push') {
    const on = triggers?.push;
    if (!on) return 'the pipeline has no on.push trigger';
    if (e.deleted) return `${e.ref ?? 'the ref'} was deleted`;
    if (e.tag !== undefined) {
      if (on.tags) {
        if (!matchesAny(e.tag, on.tags)) return `tag ${e.tag} does not match on.push.tags`;
      } else if (on.branches) return `tag ${e.tag} pushed; on.push lists branches only`;
    } else if (e.branch !== undefined) {
      if (on.branches) {
        if (!matchesAny(e.branch, on.branches)) return `branch ${e.branch} does not match on.push.branches`;
      } else if (on.tags) return `branch ${e.branch} pushed; on.push lists tags only`;
    } else return `ref ${JSON.stringify(e.ref ?? '')} is neither a branch nor a tag`;
    // without a file list (a payload that lists no commits) the paths filter cannot reject
    if (on.paths && e.paths && !e.paths.some((p) => matchesAny(p, on.paths!))) {
      return 'no changed file matches on.push.paths';
    }
    return undefined;
  }
  if (e.event === 'pull_request') {
    const on = triggers?.pull_request;
    if (!on) return 'the pipeline has no on.pull_request trigger';
    const types = on.types ?? DEFAULT_PULL_REQUEST_TYPES;
    if (!e.action || !types.includes(e.action)) {
      return `pull request action ${e.action ?? '(none)'} is not among ${types.join(', ')}`;
    }
    if (on.branches && !(e.baseBranch && matchesAny(e.baseBranch, on.branches))) {
      return `base branch ${e.baseBranch ?? '(none)'} does not match on.pull_request.branches`;
    }
    return undefined;
  }
  if (e.event === 'ping') return 'ping: the hook is connected';
  return `event ${e.event} does not start pipelines`;
}
