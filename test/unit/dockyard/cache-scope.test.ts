import { cacheScopes } from '../../../api/dockyard/caches/scope';

describe('cache scopes of a run', () => {
  it('reads its branch, then its pull request base, then the default branch, and writes its branch', () => {
    expect(
      cacheScopes(
        { event: 'pull_request', branch: 'feature', baseBranch: 'release', defaultBranch: 'trunk' },
        'main',
      ),
    ).toEqual({ read: ['feature', 'release', 'trunk'], write: 'feature' });
  });

  it('gives a run without a branch the default branch scope', () => {
    expect(cacheScopes({ event: 'api' }, 'main')).toEqual({ read: ['main'], write: 'main' });
    expect(cacheScopes(undefined, 'develop')).toEqual({ read: ['develop'], write: 'develop' });
  });

  it('never lets a pull request from a fork write, whatever its head branch is called', () => {
    expect(
      cacheScopes({ event: 'pull_request', branch: 'main', baseBranch: 'main', fork: true }, 'main'),
    ).toEqual({
      read: ['main'],
    });
  });
});
