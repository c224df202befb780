import { KubernetesRuntime } from '../../../activities/runtimes/kubernetes/kubernetes';
import { realCluster, startTarget, TEST_IMAGE } from '../kubernetes/target';
import { runtimeContract } from '../../support/runtime-contract';

jest.setTimeout(realCluster ? 300_000 : 30_000);

// against the fake API server (test/support/fake-kube), or a real cluster when KUBECONFIG is set
runtimeContract(realCluster ? 'kubernetes (real cluster)' : 'kubernetes (fake API server)', async () => {
  const target = await startTarget();
  const runtime = new KubernetesRuntime({
    kubeConfig: target.kc,
    namespace: target.namespace,
    pendingTimeoutMs: realCluster ? 60_000 : 2_000,
    keepOnFailure: false,
    deleteGraceSeconds: 1,
    heartbeatMs: 100,
  });
  return { runtime, image: TEST_IMAGE, workspace: () => '/workspace', close: () => target.stop() };
});
