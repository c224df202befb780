import { loadConfig } from '../../lib/config';

describe('configuration', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      PORT: 8080,
      CO_RUNTIME: 'local',
      TEMPORAL_TASK_QUEUE: 'pipelines',
    });
  });

  it('names every bad variable in one line', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgres://x/y', PORT: 'eighty', CO_RUNTIME: 'docker' }),
    ).toThrow(/^invalid configuration: DATABASE_URL: must be a mysql:\/\/ URL.*; PORT: .*; CO_RUNTIME: /);
  });

  it('rejects a short bootstrap token and a broken secret pattern', () => {
    expect(() => loadConfig({ CO_BOOTSTRAP_ADMIN_TOKEN: 'short' })).toThrow(
      /CO_BOOTSTRAP_ADMIN_TOKEN: must be at least 20 characters/,
    );
    expect(() => loadConfig({ CO_SECRET_ENV_PATTERN: '(' })).toThrow(
      /CO_SECRET_ENV_PATTERN: must be a valid regular expression/,
    );
  });

  it('trusts no proxy by default and reads CO_TRUST_PROXY as hops or addresses', () => {
    expect(loadConfig({}).CO_TRUST_PROXY).toBe(false);
    expect(loadConfig({ CO_TRUST_PROXY: '1' }).CO_TRUST_PROXY).toBe(1);
    expect(loadConfig({ CO_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).CO_TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(() => loadConfig({ CO_TRUST_PROXY: 'everyone' })).toThrow(/CO_TRUST_PROXY: must be false/);
    expect(() => loadConfig({ CO_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/CO_TRUST_PROXY/);
  });
});
