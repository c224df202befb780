import crypto from 'node:crypto';
import { normalizeEvent } from '../../../api/triggers/hook-events';
import { filterReason } from '../../../api/triggers/hook-filters';
import { providerOf, verifySignature } from '../../../api/triggers/hook-signature';

const SECRET = 'a-long-enough-secret';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = (key: string) => `sha256=${crypto.createHmac('sha256', key).update(body).digest('hex')}`;

describe('webhook signatures', () => {
  it('accepts GitHub and generic HMACs and the GitLab token made with the secret, nothing else', () => {
    const github = { 'x-hub-signature-256': hmac(SECRET) };
    expect(providerOf(github)).toBe('github');
    expect(verifySignature('github', github, body, SECRET)).toBe(true);
    expect(
      verifySignature('github', { 'x-hub-signature-256': hmac('other-secret-value') }, body, SECRET),
    ).toBe(false);
    expect(verifySignature('github', github, Buffer.from('{"ref":"refs/heads/evil"}'), SECRET)).toBe(false);
    const generic = { 'x-containerops-signature': hmac(SECRET) };
    expect(verifySignature(providerOf(generic), generic, body, SECRET)).toBe(true);
    const gitlab = { 'x-gitlab-token': SECRET };
    expect(verifySignature(providerOf(gitlab), gitlab, body, SECRET)).toBe(true);
    expect(verifySignature('gitlab', { 'x-gitlab-token': `${SECRET}x` }, body, SECRET)).toBe(false);
  });

  it('rejects every delivery when there is no hook, even one "signed" with an empty key', () => {
    const empty = { 'x-hub-signature-256': hmac('') };
    expect(verifySignature('github', empty, body, undefined)).toBe(false);
    expect(verifySignature(undefined, {}, body, SECRET)).toBe(false);
  });
});

describe('webhook events and filters', () => {
  const push = (ref: string, files: string[] = ['src/a.ts']) =>
    normalizeEvent(
      'github',
      { 'x-github-event': 'push', 'x-github-delivery': 'd1' },
      {
        ref,
        after: 'abc',
        repository: { full_name: 'o/r' },
        commits: [{ added: files, modified: [], removed: [] }],
      },
    );

  it('follows GitHub Actions rules for branches, tags and paths', () => {
    const on = { push: { branches: ['main', 'release/**'], paths: ['src/**'] } };
    expect(filterReason(on, push('refs/heads/main'))).toBeUndefined();
    expect(filterReason(on, push('refs/heads/release/1.2/hotfix'))).toBeUndefined();
    expect(filterReason(on, push('refs/heads/feature'))).toContain('does not match on.push.branches');
    expect(filterReason(on, push('refs/tags/v1'))).toContain('lists branches only');
    expect(filterReason(on, push('refs/heads/main', ['docs/x.md']))).toBe(
      'no changed file matches on.push.paths',
    );
    expect(filterReason({ push: { tags: ['v*'] } }, push('refs/tags/v1.0'))).toBeUndefined();
    expect(filterReason({ push: {} }, push('refs/heads/any'))).toBeUndefined();
    expect(filterReason({}, push('refs/heads/main'))).toBe('the pipeline has no on.push trigger');
  });

  it('maps GitLab merge requests onto pull_request types and base branches', () => {
    const mr = normalizeEvent(
      'gitlab',
      { 'x-gitlab-event': 'Merge Request Hook', 'idempotency-key': 'k1' },
      {
        object_kind: 'merge_request',
        project: { path_with_namespace: 'g/p' },
        object_attributes: {
          action: 'update',
          source_branch: 'feat',
          target_branch: 'main',
          last_commit: { id: 'c0ffee' },
        },
      },
    );
    expect(mr).toMatchObject({
      event: 'pull_request',
      action: 'synchronize',
      baseBranch: 'main',
      sha: 'c0ffee',
      delivery: 'k1',
    });
    expect(filterReason({ pull_request: { branches: ['main'] } }, mr)).toBeUndefined();
    expect(filterReason({ pull_request: { branches: ['main'], types: ['opened'] } }, mr)).toContain(
      'not among opened',
    );
  });
});
