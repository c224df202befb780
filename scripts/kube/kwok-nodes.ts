/**
 * kwok's fake nodes for the test control plane (`startControlPlane({ kwok: true })`): nodes that
 * run no container; pod lifecycles are scripted by scripts/kube/kwok-stages.yaml.
 */
import path from 'node:path';
import { waitFor } from './processes';

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

interface Reply {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}

export async function startKwokNodes(options: {
  dir: string;
  kubeconfig: string;
  nodes: number;
  launch: (name: string, args: string[]) => void;
  api: (p: string, init?: { method?: string; body?: string }) => Promise<Reply>;
  /** how many Ready, schedulable nodes there are */
  nodeReady: () => Promise<number>;
}): Promise<void> {
  options.launch('kwok', [
    `--kubeconfig=${options.kubeconfig}`,
    `--config=${path.join(__dirname, 'kwok-stages.yaml')}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    '--node-ip=127.0.0.1',
    '--cidr=10.244.0.0/16',
    // kwok renews the nodes' Leases, as a kubelet does. Without them the node lifecycle
    // controller judged the node by status heartbeats alone; one that came late made the node
    // NotReady for a moment and marked every pod on it NotReady for good (no kwok stage makes
    // a Running pod Ready again): a rolled-back Deployment then waited on "old replicas" forever.
    '--node-lease-duration-seconds=40',
  ]);
  for (let i = 0; i < options.nodes; i++) {
    const name = `kwok-node-${i}`;
    const created = await options.api('/api/v1/nodes', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: { [KWOK_NODE_ANNOTATION]: 'fake' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
        },
      }),
    });
    if (!created.ok && created.status !== 409)
      throw new Error(`cannot create node ${name}: ${created.status} ${await created.text()}`);
  }
  await waitFor(
    `${options.nodes} Ready kwok node(s)`,
    async () => (await options.nodeReady()) >= options.nodes,
    60_000,
    path.join(options.dir, 'logs', 'kwok.log'),
  );
}
