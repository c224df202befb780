import crypto from 'node:crypto';
import { Client } from '@temporalio/client';
import { gcScheduleId } from '../../../workers/housekeeping-schedules';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, eventually, trigger, waitForRun } from '../../support/runs';

let stack: Stack;
beforeAll(async () => {
  // grace 0: anything unreferenced may go at once; retention 1 day: the test ages one artifact
  stack = await startStack({ config: { CO_ARTIFACT_RETENTION_DAYS: '1', CO_BLOB_GC_GRACE_HOURS: '0' } });
}, 180_000);
afterAll(() => stack?.stop());

const basic = `Basic ${Buffer.from(`gc:${ADMIN_TOKEN}`).toString('base64')}`;
const digestOf = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

describe('dockyard garbage collection (Temporal schedule)', () => {
  it('expires old artifacts and sweeps unreferenced blobs, keeping referenced ones', async () => {
    const project = await createProject(stack);
    const push = async (repo: string, body: Buffer) => {
      const res = await fetch(`${stack.url}/v2/${project}/${repo}/blobs/uploads/?digest=${digestOf(body)}`, {
        method: 'POST',
        headers: { authorization: basic },
        body,
      });
      expect(res.status).toBe(201);
      return digestOf(body);
    };
    const kept = await push('app', crypto.randomBytes(1000));
    const dropped = await push('app', crypto.randomBytes(1000));
    const del = await fetch(`${stack.url}/v2/${project}/app/blobs/${dropped}`, {
      method: 'DELETE',
      headers: { authorization: basic },
    });
    expect(del.status).toBe(202);

    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: old-artifact
steps:
  - id: a
    run: mkdir -p out && echo old > out/file
    artifacts:
      out: [ { name: out, path: out } ]
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'old-artifact')).id);
    expect(run.status).toBe('succeeded');
    const artifact = await stack.db.artifact.findFirstOrThrow({ where: { runId: run.id } });
    await stack.db.artifact.update({
      where: { id: artifact.id },
      data: { createdAt: new Date(Date.now() - 2 * 86_400_000) },
    });

    const client = new Client({ connection: stack.temporal, namespace: stack.config.TEMPORAL_NAMESPACE });
    const schedule = client.schedule.getHandle(gcScheduleId(stack.config));
    expect((await schedule.describe()).action).toMatchObject({ workflowType: 'dockyardGc' });
    await schedule.trigger();

    await eventually(
      async () =>
        (await stack.db.blob.findUnique({ where: { digest: artifact.digest } })) ? undefined : true,
      'the expired artifact blob to be swept',
      90_000,
    );
    expect(await stack.db.artifact.findUnique({ where: { id: artifact.id } })).toBeNull();
    expect(await stack.db.blob.findUnique({ where: { digest: dropped } })).toBeNull();
    const stillThere = await fetch(`${stack.url}/v2/${project}/app/blobs/${kept}`, {
      headers: { authorization: basic },
    });
    expect(stillThere.status).toBe(200);
  }, 180_000);
});
