import { CoreV1Api } from '@kubernetes/client-node';
import { sweepLeakedPods } from '../../../activities/runtimes/kubernetes';
import { buildPod } from '../../../activities/runtimes/kubernetes/pod-spec';
import { startTarget, stepLaunch, type KubeTarget } from './target';

let target: KubeTarget;
let core: CoreV1Api;

beforeAll(async () => {
  target = await startTarget();
  core = target.kc.makeApiClient(CoreV1Api);
});
afterAll(() => target.stop());

test('the sweep deletes step pods of ended runs and leaves active runs alone', async () => {
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

  const result = await sweepLeakedPods({
    kubeConfig: target.kc,
    namespaces: [target.namespace],
    // Only our two runs are judged; any other pod in the namespace counts as active.
    isRunActive: async (runId) => runId !== ended.runId,
  });

  expect(result.deleted.map((d) => d.runId)).toEqual([ended.runId]);
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
