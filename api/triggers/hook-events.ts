import type { IncomingHttpHeaders } from 'node:http';
import type { HookProvider } from './hook-signature';

/** A code host delivery in one shape, whatever the provider. */
export interface HookEvent {
  /** push, pull_request, ping, or the provider's own name for events we do not handle */
  event: string;
  delivery?: string;
  ref?: string;
  branch?: string;
  tag?: string;
  sha?: string;
  repository?: string;
  actor?: string;
  /** pull requests: action (opened, synchronize, reopened, closed, edited, ready_for_review) and base branch */
  action?: string;
  baseBranch?: string;
  /** pull requests: the head branch lives in another repository */
  fork?: boolean;
  /** the repository's default branch, when the payload says it */
  defaultBranch?: string;
  /** push: files added, modified or removed by the pushed commits; undefined when the payload does not say */
  paths?: string[];
  /** push: the branch or tag was deleted */
  deleted?: boolean;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return typeof v === 'string' && v !== '' ? v.slice(0, 200) : undefined;
};

function refParts(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}

const ZERO_SHA = /^0+$/;

function changedPaths(commits: unknown): string[] | undefined {
  if (!Array.isArray(commits) || commits.length === 0) return undefined;
  const paths = new Set<string>();
  for (const c of commits) {
    for (const key of ['added', 'modified', 'removed']) {
      const list = obj(c)[key];
      if (!Array.isArray(list)) return undefined;
      for (const p of list) if (typeof p === 'string') paths.add(p);
    }
  }
  return [...paths];
}

function pushEvent(ref: string | undefined, sha: string | undefined, rest: Partial<HookEvent>): HookEvent {
  return {
    event: 'push',
    ref,
    ...refParts(ref),
    sha,
    deleted: sha !== undefined && ZERO_SHA.test(sha),
    ...rest,
  };
}

function github(headers: IncomingHttpHeaders, body: Json): HookEvent {
  const name = header(headers, 'x-github-event') ?? 'unknown';
  const delivery = header(headers, 'x-github-delivery');
  const repository = str(obj(body.repository).full_name);
  const actor = str(obj(body.sender).login) ?? str(obj(body.pusher).name);
  const defaultBranch = str(obj(body.repository).default_branch);
  if (name === 'push') {
    return pushEvent(str(body.ref), str(body.after), {
      delivery,
      repository,
      actor,
      paths: changedPaths(body.commits),
      defaultBranch,
    });
  }
  if (name === 'pull_request') {
    const pr = obj(body.pull_request);
    const head = obj(pr.head);
    return {
      event: 'pull_request',
      delivery,
      repository,
      actor,
      action: str(body.action),
      ref: str(head.ref) && `refs/heads/${str(head.ref)}`,
      branch: str(head.ref),
      sha: str(head.sha),
      baseBranch: str(obj(pr.base).ref),
      fork: str(obj(head.repo).full_name) !== str(obj(obj(pr.base).repo).full_name),
      defaultBranch,
    };
  }
  return { event: name, delivery, repository, actor };
}

const GITLAB_MR_ACTIONS: Record<string, string> = {
  open: 'opened',
  update: 'synchronize',
  reopen: 'reopened',
  close: 'closed',
  merge: 'closed',
};

function gitlab(headers: IncomingHttpHeaders, body: Json): HookEvent {
  const delivery = header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid');
  const repository = str(obj(body.project).path_with_namespace);
  const kind = str(body.object_kind);
  if (kind === 'push' || kind === 'tag_push') {
    return pushEvent(str(body.ref), str(body.checkout_sha) ?? str(body.after), {
      delivery,
      repository,
      actor: str(body.user_username),
      paths: changedPaths(body.commits),
    });
  }
  if (kind === 'merge_request') {
    const mr = obj(body.object_attributes);
    const action = str(mr.action);
    return {
      event: 'pull_request',
      delivery,
      repository,
      actor: str(obj(body.user).username),
      action: action && (GITLAB_MR_ACTIONS[action] ?? action),
      ref: str(mr.source_branch) && `refs/heads/${str(mr.source_branch)}`,
      branch: str(mr.source_branch),
      sha: str(obj(mr.last_commit).id),
      baseBranch: str(mr.target_branch),
      fork: mr.source_project_id !== mr.target_project_id,
      defaultBranch: str(obj(body.project).default_branch),
    };
  }
  return { event: kind ?? header(headers, 'x-gitlab-event') ?? 'unknown', delivery, repository };
}

/**
 * Generic provider: `X-ContainerOps-Event` (push by default) and a body `{ref, sha, repository?,
 * actor?, paths?, defaultBranch?}`; pull requests add `baseBranch?` and `fork?` (a boolean).
 */
function generic(headers: IncomingHttpHeaders, body: Json): HookEvent {
  const name = header(headers, 'x-containerops-event') ?? 'push';
  const delivery = header(headers, 'x-containerops-delivery');
  const paths = Array.isArray(body.paths) ? body.paths.filter((p) => typeof p === 'string') : undefined;
  const common = {
    delivery,
    repository: str(body.repository),
    actor: str(body.actor),
    defaultBranch: str(body.defaultBranch),
  };
  if (name === 'push') return pushEvent(str(body.ref), str(body.sha), { ...common, paths });
  if (name === 'pull_request') {
    return {
      event: name,
      ...common,
      action: str(body.action),
      ref: str(body.ref),
      ...refParts(str(body.ref)),
      sha: str(body.sha),
      baseBranch: str(body.baseBranch),
      fork: body.fork === true,
    };
  }
  return { event: name, ...common };
}

export function normalizeEvent(
  provider: HookProvider,
  headers: IncomingHttpHeaders,
  body: unknown,
): HookEvent {
  const json = obj(body);
  if (provider === 'github') return github(headers, json);
  if (provider === 'gitlab') return gitlab(headers, json);
  return generic(headers, json);
}
