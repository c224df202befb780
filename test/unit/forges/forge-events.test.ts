import { forgeEventOf, isRetest } from '../../../api/forges/forge-events';

const sha = 'a'.repeat(40);

describe('forge events from documented payloads', () => {
  it('GitHub pull_request: head commit, number, and a fork when head and base repositories differ', () => {
    const body = {
      action: 'synchronize',
      number: 5,
      pull_request: {
        number: 5,
        head: { ref: 'fix', sha, repo: { full_name: 'someone/app' } },
        base: { ref: 'main', repo: { full_name: 'acme/app' } },
      },
      repository: { full_name: 'acme/app' },
      sender: { login: 'someone' },
    };
    const e = forgeEventOf('github', { 'x-github-event': 'pull_request', 'x-github-delivery': 'd1' }, body);
    expect(e).toMatchObject({
      event: 'pull_request',
      action: 'synchronize',
      sha,
      pullRequest: 5,
      fork: true,
      baseBranch: 'main',
    });
    const same = {
      ...body,
      pull_request: {
        ...body.pull_request,
        head: { ...body.pull_request.head, repo: { full_name: 'acme/app' } },
      },
    };
    expect(forgeEventOf('github', { 'x-github-event': 'pull_request' }, same).fork).toBe(false);
  });

  it('Gitea says "synchronized": it is read as synchronize', () => {
    const e = forgeEventOf(
      'gitea',
      { 'x-github-event': 'pull_request', 'x-gitea-delivery': 'g1' },
      {
        action: 'synchronized',
        number: 2,
        pull_request: {
          number: 2,
          head: { ref: 'f', sha, repo: { full_name: 'o/r' } },
          base: { ref: 'main', repo: { full_name: 'o/r' } },
        },
      },
    );
    expect(e).toMatchObject({ action: 'synchronize', fork: false, pullRequest: 2 });
  });

  it('GitHub issue_comment on a pull request: the comment and its author; on an issue: no pull request', () => {
    const body = {
      action: 'created',
      issue: { number: 9, pull_request: { url: 'https://api.github.com/repos/acme/app/pulls/9' } },
      comment: { body: 'flaky\n/retest', user: { login: 'dev' } },
      repository: { full_name: 'acme/app' },
    };
    const e = forgeEventOf('github', { 'x-github-event': 'issue_comment' }, body);
    expect(e).toMatchObject({
      event: 'issue_comment',
      pullRequest: 9,
      comment: { body: 'flaky\n/retest', author: 'dev' },
    });
    const onIssue = forgeEventOf(
      'github',
      { 'x-github-event': 'issue_comment' },
      { ...body, issue: { number: 9 } },
    );
    expect(onIssue.pullRequest).toBeUndefined();
  });

  it('GitLab merge request from a fork and a note on a merge request', () => {
    const mr = forgeEventOf(
      'gitlab',
      { 'x-gitlab-event': 'Merge Request Hook' },
      {
        object_kind: 'merge_request',
        user: { username: 'dev' },
        project: { path_with_namespace: 'g/app' },
        object_attributes: {
          iid: 3,
          action: 'open',
          source_branch: 'f',
          target_branch: 'main',
          source_project_id: 2,
          target_project_id: 1,
          last_commit: { id: sha },
        },
      },
    );
    expect(mr).toMatchObject({ event: 'pull_request', action: 'opened', pullRequest: 3, fork: true, sha });
    const note = forgeEventOf(
      'gitlab',
      { 'x-gitlab-event': 'Note Hook' },
      {
        object_kind: 'note',
        user: { username: 'dev' },
        project: { path_with_namespace: 'g/app' },
        object_attributes: { note: '/retest', noteable_type: 'MergeRequest' },
        merge_request: { iid: 3, last_commit: { id: sha } },
      },
    );
    expect(note).toMatchObject({
      event: 'issue_comment',
      pullRequest: 3,
      sha,
      comment: { body: '/retest', author: 'dev' },
    });
  });

  it('/retest must stand alone on a line', () => {
    expect(isRetest('/retest')).toBe(true);
    expect(isRetest('looks flaky\n  /retest  \nthanks')).toBe(true);
    expect(isRetest('please /retest this')).toBe(false);
    expect(isRetest('/retesting')).toBe(false);
  });
});
