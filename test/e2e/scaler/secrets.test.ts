import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, getRun, step, trigger, waitForRun } from '../../support/runs';
import { dumpDatabase, historyBytes } from '../../support/leaks';

interface Problem {
  errors: { path: string; line: number; col: number; message: string }[];
}

const secretValue = `sv-${crypto.randomBytes(12).toString('hex')}`;
const paramValue = `pv-${crypto.randomBytes(12).toString('hex')}`;

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: uses-secrets
params:
  - { name: deployKey, secret: true }
steps:
  - id: show
    env:
      API_KEY: "\${{ secrets.API_KEY }}"
      HEADER: "Bearer \${{ secrets.API_KEY }}"
      DEPLOY: "\${{ params.deployKey }}"
    with: { key: "\${{ secrets.API_KEY }}" }
    run: |
      echo "key=$API_KEY"
      echo "$HEADER"
      echo "param=$DEPLOY"
      printf '%s' "$API_KEY" | base64
      case "$CO_DATA" in *"$API_KEY"*) echo "with: arrived";; esac
      echo "leak=$API_KEY" >> "$CO_OUTPUTS"
      echo "[COUT] cout=$DEPLOY"
      echo "length=\${#API_KEY}" >> "$CO_OUTPUTS"
`;

describe('project secrets', () => {
  let stack: Stack;
  let project: string;

  beforeAll(async () => {
    stack = await startStack();
    project = await createProject(stack);
  });
  afterAll(() => stack?.stop());

  it('are write-only: listed by name and date, never with their value', async () => {
    const created = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
      name: 'API_KEY',
      value: secretValue,
    });
    expect(created.status).toBe(201);
    const body = await created.text();
    expect(body).not.toContain(secretValue);
    const list = (await (await stack.request('GET', `/api/v1/projects/${project}/secrets`)).json()) as {
      items: unknown[];
    };
    expect(list.items).toEqual([
      { name: 'API_KEY', createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
    const again = await stack.request('POST', `/api/v1/projects/${project}/secrets`, {
      name: 'API_KEY',
      value: 'other',
    });
    expect(again.status).toBe(409);
  });

  it('an unknown secret is a compile error with its line and column', async () => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines`,
      `apiVersion: containerops/v1
kind: Pipeline
name: bad-secret
steps:
  - id: a
    env: { X: "\${{ secrets.NOPE }}" }
    run: echo "$X"
`,
    );
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors).toEqual([
      { path: 'steps[0].env.X', line: 6, col: 20, message: 'unknown secret "NOPE" in this project' },
    ]);
  });

  it('a secret in run: is refused: it must come through env:', async () => {
    const res = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines`,
      `apiVersion: containerops/v1
kind: Pipeline
name: secret-in-script
steps:
  - id: a
    run: echo "\${{ secrets.API_KEY }}"
`,
    );
    expect(res.status).toBe(422);
    const problem = (await res.json()) as Problem;
    expect(problem.errors[0]).toMatchObject({ path: 'steps[0].run', line: 6 });
    expect(problem.errors[0]?.message).toMatch(/secrets can only be used as a whole value/);
  });

  it('reach the step, are masked in logs and outputs, and appear neither in Temporal history nor in the database', async () => {
    await createPipeline(stack, project, PIPELINE);
    const started = await trigger(stack, project, 'uses-secrets', { deployKey: paramValue });
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');

    const logs = await (
      await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/show/logs`)
    ).text();
    expect(logs.split('\n')).toEqual(
      expect.arrayContaining([
        'key=***',
        'Bearer ***',
        'param=***',
        '***',
        'with: arrived',
        '[COUT] cout=***',
      ]),
    );
    // the step saw the real value: its length is that of the secret, not of a reference
    expect(step(run, 'show').outputs).toEqual({
      leak: '***',
      cout: '***',
      length: String(secretValue.length),
    });
    const view = await getRun(stack, project, run.id);
    expect(JSON.stringify(view)).not.toContain(secretValue);
    expect((view as unknown as { params: Record<string, string> }).params).toEqual({ deployKey: '***' });

    const history = await historyBytes(stack, `run-${run.id}`);
    const dump = await dumpDatabase(stack.config.DATABASE_URL!);
    for (const value of [secretValue, paramValue]) {
      expect(history.includes(value)).toBe(false);
      expect(dump.includes(value)).toBe(false);
      expect(dump.includes(Buffer.from(value).toString('hex'))).toBe(false);
    }
    // the dump does hold the sealed rows: the check above looked at the right place
    expect(dump).toMatch(/INSERT INTO `ProjectSecret` VALUES \('[^']+','[^']+','API_KEY','v1\./);

    // the outputs file of the step is gone from the shared workspace
    const outputsDir = path.join(stack.config.dataDir, 'workspaces', run.id, '.co', 'outputs');
    expect(fs.existsSync(outputsDir) ? fs.readdirSync(outputsDir) : []).toEqual([]);
  });
});
