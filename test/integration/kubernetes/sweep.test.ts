import { CoreV1Api } from '@kubernetes/client-node';
import { sweepLeakedPods } from '../../../activities/runtimes/kubernetes/sweep';
import { buildPod } from '../../../activities/runtimes/kubernetes/pod-spec';
import { buildStepSecret } from '../../../activities/runtimes/kubernetes/step-secret';
import { startTarget, stepLaunch, type KubeTarget } from './target';

let target: KubeTarget;
let core: CoreV1Api;

beforeAll(async () => {
  target = await startTarget();
  core = target.kc.makeApiClient(CoreV1Api);
});
afterAll(() => target.stop());

test('the sweep deletes step pods and unowned step Secrets of ended runs and leaves active runs alone', async () => {
  if (target.fake) {
    target.fake.podBehavior = async (pod) => {
      pod.schedule();
      pod.start();
      await pod.sleep(60_000);
    };
  }
  const ended = stepLaunch({ script: 'sleep 3600' });
  const active = stepLaunch({ script: 'sleep 3600' });
  for (const launch of [ended, active]) {
    const body = buildPod(launch, { namespace: target.namespace, keepOnFailure: false });
    await core.createNamespacedPod({ namespace: target.namespace, body });
  }

  // A worker that died between creating an attempt's Secret and its pod leaves the Secret unowned.
  for (const launch of [ended, active]) {
    const launchWithSecret = { ...launch, stepId: 'deploy', secretEnv: { API_TOKEN: 'x' } };
    const body = buildStepSecret(launchWithSecret, `orphan-${launch.runId}`, target.namespace);
    await core.createNamespacedSecret({ namespace: target.namespace, body });
  }

  const result = await sweepLeakedPods({
    kubeConfig: target.kc,
    namespaces: [target.namespace],
    // Only our two runs are judged; any other pod in the namespace counts as active.
    isRunActive: async (runId) => runId !== ended.runId,
  });

  expect(result.deleted.map((d) => d.runId)).toEqual([ended.runId]);
  expect(result.deletedSecrets).toEqual([
    { namespace: target.namespace, name: `orphan-${ended.runId}`, runId: ended.runId },
  ]);
  await core.deleteNamespacedSecret({ name: `orphan-${active.runId}`, namespace: target.namespace });
  const left = await core.listNamespacedPod({
    namespace: target.namespace,
    labelSelector: `containerops.dev/run=${active.runId}`,
  });
  expect(left.items).toHaveLength(1);
  await core.deleteNamespacedPod({
    name: left.items[0]?.metadata?.name ?? '',
    namespace: target.namespace,
    gracePeriodSeconds: 0,
  });
});
