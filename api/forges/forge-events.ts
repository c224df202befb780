import type { IncomingHttpHeaders } from 'node:http';
import { normalizeEvent, type HookEvent } from '../triggers/hook-events';
import type { ForgeType } from '../../services/forges';

/** A delivery from a connected repository: the common event plus what pull requests and comments add. */
export interface ForgeEvent extends HookEvent {
  /** pull request (GitLab: merge request) number */
  pullRequest?: number;
  /** issue_comment on a pull request: the comment's text and author */
  comment?: { body: string; author: string };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;
const header = (h: IncomingHttpHeaders, name: string) => (typeof h[name] === 'string' ? h[name] : undefined);

/** GitHub and Gitea (Gitea sends GitHub's headers and, for these events, GitHub's shapes). */
function githubLike(headers: IncomingHttpHeaders, body: Json): ForgeEvent {
  const base: ForgeEvent = normalizeEvent('github', headers, body);
  if (base.event === 'pull_request') {
    const pr = obj(body.pull_request);
    const headRepo = str(obj(obj(pr.head).repo).full_name);
    const baseRepo = str(obj(obj(pr.base).repo).full_name);
    // Gitea says "synchronized" where GitHub says "synchronize"
    const action = base.action === 'synchronized' ? 'synchronize' : base.action;
    return { ...base, action, pullRequest: num(pr.number) ?? num(body.number), fork: headRepo !== baseRepo };
  }
  if (base.event === 'issue_comment' && str(body.action) === 'created') {
    const issue = obj(body.issue);
    const isPull = body.is_pull === true || issue.pull_request !== undefined;
    if (!isPull) return base;
    const comment = obj(body.comment);
    return {
      ...base,
      pullRequest: num(issue.number),
      // Gitea sends the pull request with the comment; GitHub does not (its head is looked up by runs)
      sha: str(obj(obj(body.pull_request).head).sha),
      comment: { body: str(comment.body) ?? '', author: str(obj(comment.user).login) ?? '' },
    };
  }
  return base;
}

function gitlab(headers: IncomingHttpHeaders, body: Json): ForgeEvent {
  const base: ForgeEvent = normalizeEvent('gitlab', headers, body);
  if (base.event === 'pull_request') {
    const mr = obj(body.object_attributes);
    return {
      ...base,
      pullRequest: num(mr.iid),
      fork: num(mr.source_project_id) !== num(mr.target_project_id),
    };
  }
  if (str(body.object_kind) === 'note') {
    const mr = obj(body.merge_request);
    const note = obj(body.object_attributes);
    if (str(note.noteable_type) !== 'MergeRequest') return { ...base, event: 'issue_comment' };
    return {
      ...base,
      event: 'issue_comment',
      pullRequest: num(mr.iid),
      sha: str(obj(mr.last_commit).id),
      comment: { body: str(note.note) ?? '', author: str(obj(body.user).username) ?? '' },
    };
  }
  return base;
}

export function forgeEventOf(type: ForgeType, headers: IncomingHttpHeaders, body: unknown): ForgeEvent {
  const json = obj(body);
  if (type === 'gitlab') return gitlab(headers, json);
  const event = githubLike(headers, json);
  return { ...event, delivery: event.delivery ?? header(headers, 'x-gitea-delivery') };
}

/** `/retest` alone on a line of the comment. */
export const isRetest = (comment: string) => /^\s*\/retest\s*$/m.test(comment.slice(0, 10_000));
