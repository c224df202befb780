/**
 * The deployment workflow on a real Temporal dev server (TEMPORAL_ADDRESS, set by the global
 * setup), with its activities against the fake API server.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createDeployActivities } from '../../../activities/runtimes/kubernetes/deploy/deploy';
import {
  abortUpdate,
  deployment,
  pauseUpdate,
  stateQuery,
  type DeploymentInput,
} from '../../../workflows/deployment';
import { FakeKube } from '../../support/fake-kube';
import { uniqueId } from './target';

const address = process.env.TEMPORAL_ADDRESS;
const run = address && !process.env.KUBECONFIG ? describe : describe.skip;
if (!address)
  console.warn('deployment workflow tests skipped: TEMPORAL_ADDRESS is not set (run with the global setup)');
jest.setTimeout(60_000);

let fake: FakeKube;
let bundle: WorkflowBundleWithSourceMap;
let client: Client;
let connection: Connection;

run('deployment workflow', () => {
  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // installed already
    }
    fake = await new FakeKube().start();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../../workflows/deployment') });
    connection = await Connection.connect({ address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await fake?.stop();
  });

  async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `deploy-${randomBytes(4).toString('hex')}`;
    const workerConnection = await NativeConnection.connect({ address });
    try {
      const worker = await Worker.create({
        connection: workerConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: createDeployActivities({ resolveKubeConfig: async () => fake.kubeConfig() }),
      });
      return await worker.runUntil(fn(taskQueue));
    } finally {
      await workerConnection.close();
    }
  }

  const input = (name: string, image: string): DeploymentInput => ({
    namespace: 'default',
    rolloutTimeoutMs: 10_000,
    manifests: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name },
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
        },
      },
    ],
  });

  test('a good rollout succeeds and reports what was applied', async () => {
    const name = uniqueId('wf');
    const result = await withWorker((taskQueue) =>
      client.workflow.execute(deployment, { taskQueue, workflowId: name, args: [input(name, 'nginx:1')] }),
    );
    expect(result.applied).toEqual([expect.objectContaining({ kind: 'Deployment', name, generation: 1 })]);
  });

  test('a failed rollout is rolled back and fails the workflow with RolloutFailed', async () => {
    const name = uniqueId('wf');
    const error = await withWorker(async (taskQueue) => {
      await client.workflow.execute(deployment, {
        taskQueue,
        workflowId: `${name}-1`,
        args: [input(name, 'nginx:1')],
      });
      return client.workflow
        .execute(deployment, {
          taskQueue,
          workflowId: `${name}-2`,
          args: [input(name, 'registry.does-not-exist.invalid/x:2')],
        })
        .catch((e: unknown) => e);
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as { type?: string; message?: string };
    expect(cause.type).toBe('RolloutFailed');
    expect(cause.message).toMatch(/ProgressDeadlineExceeded.*rolled back .* to revision 1/);
  });

  test('pause holds the rollout (spec.paused), the state query shows it, abort ends it', async () => {
    const name = uniqueId('wf');
    fake.rolloutBehavior = () => 'hang';
    const error = await withWorker(async (taskQueue) => {
      const handle = await client.workflow.start(deployment, {
        taskQueue,
        workflowId: name,
        args: [input(name, 'nginx:1')],
      });
      while ((await handle.query(stateQuery)).phase !== 'rolling-out')
        await new Promise((r) => setTimeout(r, 50));
      await handle.executeUpdate(pauseUpdate);
      while ((await handle.query(stateQuery)).phase !== 'paused') await new Promise((r) => setTimeout(r, 50));
      expect(fake.store.get('deployments', 'default', name)?.spec.paused).toBe(true);
      await handle.executeUpdate(abortUpdate, { args: ['operator changed their mind'] });
      return handle.result().catch((e: unknown) => e);
    });
    const cause = (error as WorkflowFailedError).cause as { type?: string; message?: string };
    expect(cause.type).toBe('RolloutAborted');
    expect(cause.message).toContain('operator changed their mind');
  });
});
