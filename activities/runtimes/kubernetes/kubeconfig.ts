import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigSource {
  /** Path of a kubeconfig file. */
  kubeconfigPath?: string;
  /** Kubeconfig document (YAML or JSON), e.g. from a registered `kubernetes-cluster` service. */
  kubeconfigYaml?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST and the mounted token). */
  inCluster?: boolean;
  /** Context to select; the document's current-context otherwise. */
  context?: string;
}

/** Loads cluster credentials; with no source given, KUBECONFIG / ~/.kube/config / in-cluster, like kubectl. */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfigYaml !== undefined) kc.loadFromString(source.kubeconfigYaml);
  else if (source.kubeconfigPath !== undefined) kc.loadFromFile(source.kubeconfigPath);
  else if (source.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  if (source.context) kc.setCurrentContext(source.context);
  if (!kc.getCurrentCluster()) throw new Error('kubeconfig names no current cluster');
  return kc;
}
