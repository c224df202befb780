import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signingKey, signToken } from '../../../lib/signed-tokens';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
}, 180_000);
afterAll(() => stack?.stop());

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

describe('dockyard: artifacts between steps', () => {
  it('passes a directory from one step to a later one and serves it over HTTP with a matching digest', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: artifacts
steps:
  - id: build
    run: |
      mkdir -p dist/assets
      echo "hello from build" > dist/hello.txt
      head -c 100000 /dev/urandom > dist/assets/blob.bin
      sha256sum dist/assets/blob.bin | cut -d' ' -f1 > dist/blob.sum
    artifacts:
      out: [ { name: dist, path: dist } ]
  - id: clean
    needs: [build]
    run: rm -rf dist
  - id: test
    needs: [clean]
    run: |
      test "$(cat dist/hello.txt)" = "hello from build"
      test "$(sha256sum dist/assets/blob.bin | cut -d' ' -f1)" = "$(cat dist/blob.sum)"
      echo "seen=yes" >> "$CO_OUTPUTS"
    artifacts:
      in: [ { name: dist, from: build } ]
`,
    );
    const started = await trigger(stack, project, 'artifacts');
    const run = await waitForRun(stack, project, started.id);
    expect(run.steps.map((s) => [s.id, s.status, s.error])).toEqual([
      ['build', 'succeeded', null],
      ['clean', 'succeeded', null],
      ['test', 'succeeded', null],
    ]);
    expect(step(run, 'test').outputs).toEqual({ seen: 'yes' });

    const list = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/artifacts`);
    const { items } = (await list.json()) as {
      items: Array<{ name: string; step: string; digest: string; size: number }>;
    };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: 'dist', step: 'build' });

    const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/artifacts/dist`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(items[0]!.size);
    expect(`sha256:${sha256(body)}`).toBe(items[0]!.digest);
    expect(res.headers.get('digest')).toBe(`sha-256=${Buffer.from(sha256(body), 'hex').toString('base64')}`);
    const tarFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-art-')), 'dist.tar.gz');
    fs.writeFileSync(tarFile, body);
    expect(execFileSync('tar', ['-tzf', tarFile]).toString().split('\n')).toEqual(
      expect.arrayContaining(['dist/hello.txt', 'dist/assets/blob.bin']),
    );

    const partial = await stack.request(
      'GET',
      `/api/v1/projects/${project}/runs/${run.id}/artifacts/dist`,
      undefined,
      {
        headers: { range: 'bytes=10-19' },
      },
    );
    expect(partial.status).toBe(206);
    expect(Buffer.from(await partial.arrayBuffer())).toEqual(body.subarray(10, 20));
  });

  it('fails a step whose artifact path is a symlink out of the workspace, and refuses ../ at validation', async () => {
    const invalid = await stack.request(
      'POST',
      `/api/v1/projects/${project}/pipelines/validate`,
      `apiVersion: containerops/v1
kind: Pipeline
name: escape
steps:
  - id: a
    run: "true"
    artifacts:
      out: [ { name: x, path: ../x }, { name: "../y", path: /etc } ]
`,
    );
    const report = (await invalid.json()) as {
      valid: boolean;
      errors: Array<{ path: string; message: string }>;
    };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        'steps[0].artifacts.out[0].path',
        'steps[0].artifacts.out[1].name',
        'steps[0].artifacts.out[1].path',
      ]),
    );

    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: symlink-escape
steps:
  - id: a
    run: |
      mkdir -p out
      ln -sf /etc/passwd out/passwd
    artifacts:
      out: [ { name: out, path: out } ]
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'symlink-escape')).id);
    expect(run.status).toBe('failed');
    expect(step(run, 'a').error).toMatch(/symlink out of the workspace/);
  });
});

describe('dockyard: run tokens', () => {
  it('reach only dockyard routes, and write only into their own run', async () => {
    await createPipeline(
      stack,
      project,
      'apiVersion: containerops/v1\nkind: Pipeline\nname: tiny\nsteps:\n  - { id: a, run: "true" }\n',
    );
    const mine = await waitForRun(stack, project, (await trigger(stack, project, 'tiny')).id);
    const other = await waitForRun(stack, project, (await trigger(stack, project, 'tiny')).id);
    const { id: projectId } = await stack.db.project.findUniqueOrThrow({ where: { name: project } });
    const token = signToken(signingKey(stack.config), {
      kind: 'run',
      runId: mine.id,
      projectId,
      exp: Date.now() + 60_000,
    });
    const as = { token, headers: { 'content-type': 'application/octet-stream' } };
    const base = `/api/v1/projects/${project}/runs`;
    expect((await stack.request('PUT', `${base}/${mine.id}/artifacts/logs`, 'x', as)).status).toBe(201);
    expect((await stack.request('PUT', `${base}/${other.id}/artifacts/logs`, 'x', as)).status).toBe(403);
    expect((await stack.request('GET', `${base}/${mine.id}/artifacts`, undefined, as)).status).toBe(200);
    expect((await stack.request('GET', `${base}/${mine.id}`, undefined, as)).status).toBe(403);
    expect(
      (await stack.request('POST', `/api/v1/projects/${project}/pipelines/tiny/runs`, {}, as)).status,
    ).toBe(403);
    const expired = signToken(signingKey(stack.config), {
      kind: 'run',
      runId: mine.id,
      projectId,
      exp: Date.now() - 1,
    });
    expect(
      (await stack.request('GET', `${base}/${mine.id}/artifacts`, undefined, { token: expired })).status,
    ).toBe(401);
  });
});

describe('dockyard: large outputs by reference', () => {
  it('moves a 50 MB output from one step to the next; the run JSON and history hold only the reference', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: big-output
steps:
  - id: produce
    run: |
      head -c 37500000 /dev/urandom | base64 -w0 > big.txt
      { echo "big<<EOF_BIG"; cat big.txt; echo; echo "EOF_BIG"; } >> "$CO_OUTPUTS"
      echo "sum=$(sha256sum big.txt | cut -d' ' -f1)" >> "$CO_OUTPUTS"
      rm big.txt
  - id: consume
    needs: [produce]
    run: |
      echo "sum=$(printf '%s' "\${{ steps.produce.outputs.big }}" | sha256sum | cut -d' ' -f1)" >> "$CO_OUTPUTS"
      echo "size=$(printf '%s' "\${{ steps.produce.outputs.big }}" | wc -c)" >> "$CO_OUTPUTS"
`,
    );
    const started = await trigger(stack, project, 'big-output');
    const run = await waitForRun(stack, project, started.id, 180_000);
    expect(run.status).toBe('succeeded');
    const produced = step(run, 'produce').outputs as unknown as Record<string, unknown>;
    const consumed = step(run, 'consume').outputs;
    expect(consumed.size).toBe('50000000');
    expect(consumed.sum).toBe(produced.sum);
    const big = produced.big as { ref: string; size: number; digest: string; href: string };
    expect(big).toMatchObject({ size: 50_000_000, digest: `sha256:${produced.sum}` });
    expect(big.ref).toMatch(/^dockyard-ref:/);

    const value = await stack.request('GET', big.href);
    expect(value.status).toBe(200);
    expect(sha256(Buffer.from(await value.arrayBuffer()))).toBe(produced.sum);

    // the workflow's history holds the reference only: nowhere near the 50 MB value
    const { Client } = await import('@temporalio/client');
    const client = new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
    const history = await client.workflow.getHandle(run.workflowId).fetchHistory();
    expect(JSON.stringify(history).length).toBeLessThan(1024 * 1024);
  }, 240_000);
});
