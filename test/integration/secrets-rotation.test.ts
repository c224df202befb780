import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { createDb } from '../../lib/db';
import { dropDatabase, mysqlConnection } from '../../lib/mysql';
import { assertKeyringOpensDatabase, SEALED_COLUMNS } from '../../services/scaler/sealed-rows';
import { createKeyring, decodeKey, generateKey, keyId } from '../../lib/secret-box';
import { applyMigrations } from '../../scripts/migrate';
import { startStack, type Stack } from '../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun, type RunView } from '../support/runs';

const exec = promisify(execFile);
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');

const oldKey = generateKey();
const newKey = generateKey();
const secret = `rot-secret-${crypto.randomBytes(8).toString('hex')}`;
const token = `rot-token-${crypto.randomBytes(8).toString('hex')}`;
const param = `rot-param-${crypto.randomBytes(8).toString('hex')}`;

// the step proves it got the right values without printing them: it outputs their digests
const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: digests
params:
  - { name: p, secret: true }
steps:
  - id: digest
    services: [svc]
    env: { S: "\${{ secrets.S }}", P: "\${{ params.p }}" }
    run: |
      echo "s=$(printf %s "$S" | sha256sum | cut -c1-64)" >> "$CO_OUTPUTS"
      echo "t=$(printf %s "$CO_SERVICE_SVC_TOKEN" | sha256sum | cut -c1-64)" >> "$CO_OUTPUTS"
      echo "p=$(printf %s "$P" | sha256sum | cut -c1-64)" >> "$CO_OUTPUTS"
`;

const expected = { s: sha256(secret), t: sha256(token), p: sha256(param) };

/** Rotation rewrites every row of a database: this test has a database of its own. */
describe('key rotation', () => {
  let url: string;
  let stack: Stack | undefined;
  let project: string;

  beforeAll(async () => {
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/co_rotation_${crypto.randomBytes(4).toString('hex')}`;
    url = u.toString();
    await applyMigrations(url);
  });
  afterAll(async () => {
    await stack?.stop();
    await dropDatabase(url);
  });

  const start = (key: string) => startStack({ config: { DATABASE_URL: url, CO_SECRETS_KEY: key } });

  async function sealedKeyIds(): Promise<string[]> {
    const conn = await mysqlConnection(url);
    try {
      const ids: string[] = [];
      for (const c of SEALED_COLUMNS) {
        const [rows] = (await conn.query(
          `SELECT \`${c.column}\` AS v FROM \`${c.table}\` WHERE \`${c.column}\` IS NOT NULL`,
        )) as unknown as [{ v: string }[]];
        ids.push(...rows.map((r) => r.v.split('.')[1]!));
      }
      return ids;
    } finally {
      await conn.end();
    }
  }

  it('re-seals every row with the new key, and steps still get the right values', async () => {
    stack = await start(oldKey);
    project = await createProject(stack);
    await stack.request('POST', `/api/v1/projects/${project}/secrets`, { name: 'S', value: secret });
    await stack.request('POST', `/api/v1/projects/${project}/services`, {
      name: 'svc',
      type: 'generic-http',
      url: 'https://api.example.org',
      credentials: { token },
    });
    await createPipeline(stack, project, PIPELINE);
    const first = await waitForRun(
      stack,
      project,
      (await trigger(stack, project, 'digests', { p: param })).id,
    );
    expect(step(first, 'digest').outputs).toEqual(expected);
    await stack.stop();
    stack = undefined;
    expect(new Set(await sealedKeyIds())).toEqual(new Set([keyId(decodeKey(oldKey)!)]));

    const env = {
      ...process.env,
      DATABASE_URL: url,
      CO_SECRETS_KEY: newKey,
      CO_SECRETS_KEY_PREVIOUS: oldKey,
    };
    const { stdout } = await exec('npx', ['tsx', 'scripts/rotate-secrets.ts'], { env });
    expect(stdout).toMatch(/ProjectSecret: 1 re-sealed/);
    expect(stdout).toMatch(/Service: 1 re-sealed/);
    expect(stdout).toMatch(/RunSecret: 1 re-sealed/);
    const ids = await sealedKeyIds();
    expect(ids).toHaveLength(3);
    expect(new Set(ids)).toEqual(new Set([keyId(decodeKey(newKey)!)]));

    // the old key alone no longer opens the database: start-up says which variable is wrong
    const db = createDb(url);
    await expect(assertKeyringOpensDatabase(db, createKeyring(oldKey))).rejects.toThrow(
      /CO_SECRETS_KEY: does not open the stored secrets \(3 sealed with key/,
    );
    await db.$disconnect();

    stack = await start(newKey);
    const again = await waitForRun(
      stack,
      project,
      (await trigger(stack, project, 'digests', { p: param })).id,
    );
    expect(step(again, 'digest').outputs).toEqual(expected);
    // a rerun carries the first run's sealed param, re-sealed by the rotation
    const rerun = await stack.request('POST', `/api/v1/projects/${project}/runs/${first.id}/rerun`, {
      from: 'start',
    });
    expect(rerun.status).toBe(201);
    const repeated = await waitForRun(stack, project, ((await rerun.json()) as RunView).id);
    expect(step(repeated, 'digest').outputs).toEqual(expected);
  }, 300_000); // three stacks, three runs and the rotation command
});
