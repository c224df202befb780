import fs from 'node:fs';
import path from 'node:path';
import { compileOther, errorsOfOther, nodeOf } from './run-script';

const AS_WORKFLOW = { fileName: '.github/workflows/ci.yml' };
const FIXTURE = fs.readFileSync(
  path.join(__dirname, '../../../fixtures/formats/github/cache-container.yml'),
  'utf8',
);

/** A one-job workflow: `jobLines` go under the job (before steps:), `steps` under steps:. */
function job(jobLines: string[], ...steps: string[]): string {
  return [
    'on: push',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    ...jobLines.map((l) => `    ${l}`),
    '    steps:',
    ...steps.map((s) => `      ${s}`),
    '',
  ].join('\n');
}

describe('actions/cache becomes the cache of the job step', () => {
  const plan = compileOther(FIXTURE, AS_WORKFLOW);

  it('maps key, multi-line path and restore-keys; hashFiles is computed over the workspace', () => {
    expect(nodeOf(plan, 'build').cache).toEqual({
      key: 'npm-${{ "Linux" }}-${CO_HASH_1}',
      paths: ['.npm', 'node_modules'],
      restoreKeys: ['npm-${{ "Linux" }}-', 'npm-'],
      hashFiles: { CO_HASH_1: ['package-lock.json', '**/yarn.lock'] },
    });
    expect(nodeOf(plan, 'lint').cache).toBeUndefined();
  });

  it('rejects what it cannot honour, each at its line', () => {
    const cache = (...withLines: string[]) => [
      '- uses: actions/cache@v4',
      '  with:',
      ...withLines.map((l) => `    ${l}`),
    ];
    const cases: [string, string, string, number][] = [
      [
        'lookup-only',
        job([], ...cache('key: k', 'path: .npm', 'lookup-only: true'), '- run: make'),
        'input "lookup-only" is not supported',
        10,
      ],
      [
        'fail-on-cache-miss',
        job([], ...cache('key: k', 'path: .npm', 'fail-on-cache-miss: true'), '- run: make'),
        'input "fail-on-cache-miss" is not supported',
        10,
      ],
      [
        'two caches',
        job([], ...cache('key: a', 'path: a'), ...cache('key: b', 'path: b'), '- run: make'),
        'one actions/cache step per job',
        10,
      ],
      [
        'the restore form',
        job([], '- uses: actions/cache/restore@v4', '- run: make'),
        'separate restore and save',
        6,
      ],
      [
        'a cache after run steps',
        job([], '- run: make', ...cache('key: k', 'path: p')),
        'must come before',
        7,
      ],
      ['a path outside the workspace', job([], ...cache('key: k', 'path: ../up'), '- run: make'), '../up', 9],
      ['no key', job([], ...cache('path: p'), '- run: make'), 'cache needs with.key', 7],
    ];
    for (const [what, source, message, line] of cases) {
      const errors = errorsOfOther(source, AS_WORKFLOW);
      expect({ what, errors }).toEqual({
        what,
        errors: expect.arrayContaining([
          expect.objectContaining({ line, message: expect.stringContaining(message) }),
        ]),
      });
    }
  });
});

describe('container: runs the job step in that image on the container runtime', () => {
  const plan = compileOther(FIXTURE, AS_WORKFLOW);

  it('maps image and env, in either form', () => {
    expect(nodeOf(plan, 'build')).toMatchObject({
      image: 'containerops/node:bookworm',
      runtime: 'container',
      env: expect.objectContaining({ NODE_ENV: 'test' }),
    });
    expect(nodeOf(plan, 'lint')).toMatchObject({ image: 'containerops/base:bookworm', runtime: 'container' });
  });

  it.each(['options: --cpus 1', 'volumes: [/data:/data]', 'ports: [80]', 'credentials: { username: u }'])(
    'rejects %s at its line',
    (line) => {
      const key = line.split(':')[0]!;
      const errors = errorsOfOther(
        job(['container:', '  image: containerops/node:bookworm', `  ${line}`], '- run: echo'),
        AS_WORKFLOW,
      );
      expect(errors).toEqual([
        expect.objectContaining({
          line: 7,
          path: `jobs.build.container.${key}`,
          message: expect.stringContaining(key),
        }),
      ]);
    },
  );
});
