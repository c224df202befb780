import fs from 'node:fs';
import path from 'node:path';
import { renderTemplate } from '../../../../pipeline';
import { compileOther, errorsOfOther, nodeOf } from './run-script';

const SOURCE = fs.readFileSync(
  path.join(__dirname, '../../../fixtures/formats/gitlab/cache/.gitlab-ci.yml'),
  'utf8',
);
const AS_GITLAB = { fileName: '.gitlab-ci.yml' };

describe("a GitLab cache becomes the job step's cache", () => {
  const plan = compileOther(SOURCE, AS_GITLAB);

  it('takes default: cache, with key:files hashed over the workspace and fallback_keys as restore keys', () => {
    expect(nodeOf(plan, 'install').cache).toEqual({
      key: 'npm-${{ params["CACHE_VERSION"] }}-${CO_HASH_1}',
      paths: ['.npm/'],
      restoreKeys: ['npm-${{ params["CACHE_VERSION"] }}-'],
      hashFiles: { CO_HASH_1: ['package-lock.json'] },
    });
  });

  it("lets a job's own cache replace the default; variables in the key name the job, its variables and the trigger", () => {
    expect(nodeOf(plan, 'test').cache).toEqual({
      key: 'test-unit-${{ (trigger.branch) }}',
      paths: ['.jest-cache/'],
      restoreKeys: [],
      hashFiles: {},
    });
    expect(nodeOf(plan, 'docs').cache).toMatchObject({ key: 'default', paths: ['site/'] });
  });

  it('gives each parallel:matrix combination its own key', () => {
    const matrix = compileOther(
      'build:\n  parallel:\n    matrix:\n      - NODE: ["18", "20"]\n  cache: { key: node-$NODE, paths: [x] }\n  script: [make]\n',
      AS_GITLAB,
    );
    const { key } = nodeOf(matrix, 'build').cache!;
    const keyOf = (combination: string) =>
      renderTemplate(key, {
        params: {},
        env: {},
        run: { id: 'r', number: 1 },
        steps: {},
        matrix: { combination },
      });
    expect([keyOf('NODE=18'), keyOf('NODE=20')]).toEqual(['node-18', 'node-20']);
  });

  it.each([
    ['policy: pull', 'cache: { paths: [x], policy: pull }', 'policy pull and push are not supported', 2],
    ['when: always', 'cache: { paths: [x], when: always }', 'saved only when the job succeeds', 2],
    ['untracked', 'cache: { paths: [x], untracked: true }', 'untracked is not supported', 2],
    ['unprotect', 'cache: { paths: [x], unprotect: true }', 'unprotect is not supported', 2],
    ['two caches', 'cache: [{ paths: [x] }, { paths: [y] }]', 'one cache per job', 2],
    ['no paths', 'cache: { key: k }', 'needs paths', 2],
    [
      'an unknown variable',
      'cache: { key: $CI_COMMIT_REF_SLUG, paths: [x] }',
      '$CI_COMMIT_REF_SLUG is not known',
      2,
    ],
    ['a path outside the workspace', 'cache: { paths: [../x] }', '../x', 2],
  ])('rejects %s at its line', (_what, line, message, at) => {
    const errors = errorsOfOther(`build:\n  ${line}\n  script: [make]\n`, AS_GITLAB);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: at, message: expect.stringContaining(message) }),
      ]),
    );
  });

  it('points at default: when the default cache is the wrong one', () => {
    const errors = errorsOfOther(
      'default:\n  cache:\n    paths: [x]\n    policy: push\nbuild:\n  script: [make]\n',
      AS_GITLAB,
    );
    expect(errors).toEqual([expect.objectContaining({ line: 4, path: 'default.cache.policy' })]);
  });
});
