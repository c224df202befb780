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
const serviceToken = `st-${crypto.randomBytes(12).toString('hex')}`;
const inputToken = `it-${crypto.randomBytes(12).toString('hex')}`;
const literalPassword = `lp-${crypto.randomBytes(12).toString('hex')}`;
const stashComponent = `stash-${crypto.randomBytes(3).toString('hex')}`;

/** Writes what it was given into the workspace, where later steps (given nothing) read it back. */
const STASH_COMPONENT = `apiVersion: containerops/v1
kind: Component
name: ${stashComponent}
version: 1.0.0
run: printf '%s' "$INPUT_TOKEN" > input-token.txt
inputs:
  - { name: token, type: string, secret: true }
`;

/**
 * Every way issue 22 found a secret unmasked: as an output key, split across the lines of a
 * heredoc output, and printed by a later step that was given no secret, from a workspace file.
 */
const RUN_WIDE = `apiVersion: containerops/v1
kind: Pipeline
name: run-wide-mask
params:
  - { name: deployKey, secret: true }
steps:
  - id: given
    services: [stash-api]
    env:
      API_KEY: "\${{ secrets.API_KEY }}"
      DEPLOY: "\${{ params.deployKey }}"
      LEGACY_PASSWORD: "${literalPassword}"
    run: |
      printf '%s' "$LEGACY_PASSWORD" > legacy-password.txt
      printf '%s' "$API_KEY" > api-key.txt
      printf '%s' "$DEPLOY" > deploy-key.txt
      printf '%s' "$CO_SERVICE_STASH_API_TOKEN" > service-token.txt
      echo "$API_KEY=used-as-a-key" >> "$CO_OUTPUTS"
      half=$((\${#API_KEY} / 2))
      {
        echo "split<<EOF"
        printf '%s\\n' "$API_KEY" | cut -c1-$half
        printf '%s\\n' "$API_KEY" | cut -c$((half + 1))-
        echo "EOF"
      } >> "$CO_OUTPUTS"
  - id: stash-input
    needs: [given]
    uses: ${stashComponent}@1
    with: { token: "${inputToken}" }
  - id: reader
    needs: [stash-input]
    run: |
      for f in api-key deploy-key service-token input-token legacy-password; do echo "$f: $(cat $f.txt)"; done
      echo "copy=$(cat api-key.txt)" >> "$CO_OUTPUTS"
      echo "$(cat deploy-key.txt)=param-as-key" >> "$CO_OUTPUTS"
      echo "[COUT] service = $(cat service-token.txt)"
`;

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

    const history = await historyBytes(stack, run.workflowId);
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

  it('masks every secret of the run in every step: output keys, heredocs split across lines, values read back from the workspace', async () => {
    expect((await stack.request('POST', '/api/v1/components', STASH_COMPONENT)).status).toBe(201);
    const service = await stack.request('POST', `/api/v1/projects/${project}/services`, {
      name: 'stash-api',
      type: 'generic-http',
      url: 'https://api.example.org',
      credentials: { token: serviceToken },
    });
    expect(service.status).toBe(201);
    await createPipeline(stack, project, RUN_WIDE);
    const started = await trigger(stack, project, 'run-wide-mask', { deployKey: paramValue });
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');

    const half = Math.floor(secretValue.length / 2);
    const clear = [
      secretValue,
      secretValue.slice(0, half),
      secretValue.slice(half),
      paramValue,
      serviceToken,
      inputToken,
      literalPassword,
    ];
    const logs = await (
      await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/reader/logs`)
    ).text();
    // the reader saw the real files (four lines), and its log shows none of them
    expect(logs.split('\n')).toEqual(
      expect.arrayContaining([
        'api-key: ***',
        'deploy-key: ***',
        'service-token: ***',
        'input-token: ***',
        'legacy-password: ***',
        '[COUT] service = ***',
      ]),
    );
    expect(step(run, 'given').outputs).toEqual({ '***': 'used-as-a-key', split: '***\n***' });
    expect(step(run, 'reader').outputs).toEqual({ copy: '***', '***': 'param-as-key', service: '***' });

    const rows = await stack.db.logLine.findMany({ where: { runId: run.id } });
    const steps = await stack.db.stepRun.findMany({ where: { runId: run.id } });
    expect(rows.length).toBeGreaterThan(4);
    const stored = JSON.stringify({ rows: rows.map((r) => r.line), steps, logs });
    for (const value of clear) expect(stored).not.toContain(value);

    // the run's own values: not in Temporal history, not in the database (the component input and
    // the password are literals of the pipeline, so its source holds them: only logs and outputs
    // are checked for those)
    const history = await historyBytes(stack, run.workflowId);
    const dump = await dumpDatabase(stack.config.DATABASE_URL!);
    for (const value of clear.filter((v) => v !== inputToken && v !== literalPassword)) {
      expect(history.includes(value)).toBe(false);
      expect(dump.includes(value)).toBe(false);
    }
    expect(history.includes('used-as-a-key')).toBe(true);

    // a succeeded run cannot be rerun from failed: its workspace (the files above) is gone
    expect(fs.existsSync(path.join(stack.config.dataDir, 'workspaces', run.id))).toBe(false);
  });
});
