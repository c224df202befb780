import { secretMasker, secretValuesOf, splitSecretEnv } from '../../../activities/logarithm/mask';

describe('secretMasker', () => {
  it('replaces every occurrence of every secret with ***', () => {
    const mask = secretMasker(['hunter22', 's3cr3t-token']);
    expect(mask('login hunter22 then hunter22 with s3cr3t-token')).toBe('login *** then *** with ***');
  });

  it('masks the longer secret first when one contains another', () => {
    const mask = secretMasker(['abcd', 'abcdefgh']);
    expect(mask('key=abcdefgh short=abcd')).toBe('key=*** short=***');
  });

  it('treats regular-expression characters in secrets literally', () => {
    const mask = secretMasker(['p@ss.w*rd(1)', '$^[x]']);
    expect(mask('pw p@ss.w*rd(1) and $^[x]; not p@ssxw*rd(1)')).toBe('pw *** and ***; not p@ssxw*rd(1)');
  });

  it('leaves values shorter than 4 characters, and lines without secrets, untouched', () => {
    const mask = secretMasker(['abc', '', 'longer-one']);
    expect(mask('abc is fine')).toBe('abc is fine');
    expect(mask('nothing here')).toBe('nothing here');
    expect(secretMasker([])('abc hunter22')).toBe('abc hunter22');
  });

  it('masks a secret that runs on across the line breaks of a text, piece by piece', () => {
    const mask = secretMasker(['s3cr3t-value-42']);
    expect(mask('head\ns3cr3t-\nvalue\r\n-42 tail\nplain')).toBe('head\n***\n***\r\n*** tail\nplain');
    expect(mask('a s3cr3t-value-42\n\nb s3cr3t-value-42')).toBe('a ***\n\nb ***');
    expect(mask('s3cr3t\n\n-value-42')).toBe('***\n\n***');
    expect(mask('no\nsecret\nhere\n')).toBe('no\nsecret\nhere\n');
  });

  it('masks a multi-line secret printed whole, or with other line breaks', () => {
    const pem = '-----BEGIN KEY-----\nQUJDREVGR0hJSktM\n-----END KEY-----';
    const mask = secretMasker([pem]);
    expect(mask(`key:\n${pem}\nend`)).not.toContain('QUJDREVGR0hJSktM');
    expect(mask('-----BEGIN KEY-----QUJDRE\nVGR0hJSktM-----END KEY-----')).toBe('***\n***');
  });

  it('is stable across calls (no global regex state leaks between lines)', () => {
    const mask = secretMasker(['repeat-me']);
    expect(mask('repeat-me')).toBe('***');
    expect(mask('repeat-me')).toBe('***');
    expect(mask('x repeat-me')).toBe('x ***');
  });
});

describe('secretValuesOf', () => {
  it('picks the values of variables whose names match the pattern, case-insensitively', () => {
    const env = { API_TOKEN: 't0k3n-value', db_password: 'pw-value', HOME: '/root', SECRET_KEY: 'k3y-value' };
    expect(secretValuesOf(env, 'token|password|secret').sort()).toEqual([
      'k3y-value',
      'pw-value',
      't0k3n-value',
    ]);
  });
});

describe('splitSecretEnv', () => {
  test('moves the variables whose names match the pattern out of env, case-insensitively', () => {
    const env = { GITHUB_TOKEN: 'ghp_abc', DB_Password: 'pw', PATH_PREFIX: '/x', CO_RUN_ID: 'r1' };
    expect(splitSecretEnv(env, 'token|password')).toEqual({
      env: { PATH_PREFIX: '/x', CO_RUN_ID: 'r1' },
      secretEnv: { GITHUB_TOKEN: 'ghp_abc', DB_Password: 'pw' },
    });
  });
});
