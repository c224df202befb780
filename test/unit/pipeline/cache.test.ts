import { errorsOf, HEADER, planOf, yaml } from './support';

const step = (...cache: string[]) =>
  HEADER + yaml('  - id: install', '    run: npm ci', '    cache:', ...cache.map((l) => `      ${l}`));

describe('cache: of a step', () => {
  it('compiles hashFiles calls to ${CO_HASH_n} and keeps other expressions for the workflow', () => {
    const plan = planOf(
      step(
        `key: 'npm-\${{ params.os }}-\${{ hashFiles(''**/package-lock.json'', "a/*.lock") }}'`,
        `restore-keys: ["npm-\${{ params.os }}-"]`,
        'paths: [node_modules, .npm]',
      ).replace('steps:\n', 'params: [ { name: os, default: linux } ]\nsteps:\n'),
    );
    expect(plan.nodes[0]!.cache).toEqual({
      key: 'npm-${{ params.os }}-${CO_HASH_1}',
      restoreKeys: ['npm-${{ params.os }}-'],
      paths: ['node_modules', '.npm'],
      hashFiles: { CO_HASH_1: ['**/package-lock.json', 'a/*.lock'] },
    });
  });

  it('rejects paths out of the workspace, unknown references, secrets and hashFiles patterns that leave it, each where it is', () => {
    const errors = errorsOf(
      step(
        `key: "k-\${{ hashFiles('../etc/passwd') }}-\${{ params.nope }}"`,
        `restore-keys: ["\${{ secrets.TOKEN }}"]`,
        'paths: [/root/.npm]',
      ),
    );
    expect(errors.map((e) => [e.path, e.message])).toEqual(
      expect.arrayContaining([
        ['steps[0].cache.paths[0]', 'cache path "/root/.npm" must be relative to the workspace'],
        ['steps[0].cache.key', 'hashFiles pattern "../etc/passwd" must not leave the workspace (..)'],
        ['steps[0].cache.restore-keys[0]', 'a cache key is shown to every viewer: it may not use secrets'],
      ]),
    );
    expect(errors.some((e) => e.path === 'steps[0].cache.key' && /nope/.test(e.message))).toBe(true);
    for (const e of errors) expect(e.line).toBeGreaterThan(5);
  });

  it('accepts cache: on the kubernetes runtime (the pod restores and saves it)', () => {
    const plan = planOf(
      HEADER +
        yaml('  - id: a', '    run: echo', '    runtime: kubernetes', '    cache: { key: k, paths: [x] }'),
    );
    expect(plan.nodes[0]).toMatchObject({ runtime: 'kubernetes', cache: { key: 'k', paths: ['x'] } });
  });

  it('rejects unknown fields and a cache without paths', () => {
    const errors = errorsOf(step('key: k', 'paths: []', 'ttl: 3d'));
    expect(errors.map((e) => e.path).sort()).toEqual(['steps[0].cache.paths', 'steps[0].cache.ttl']);
  });
});
