/**
 * A real node for the test control plane: Debian's containerd (with runc and the CNI plugins of
 * /usr/lib/cni) under its own root, state and socket in DIR/node, and a kubelet built from the
 * same k8s.io/kubernetes module as the control plane. Its pods run real processes.
 * What this machine needs (measured): cgroup v1 with cgroupfs and no QoS cgroups, no
 * oom_score_adj writes (containerd's restrict_oom_score_adj), a node IP that is not loopback.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ctr, importPauseImage, PAUSE_IMAGE } from './node-images';
import { createNodeNet, removeNodeNet, writeCniConfig, type NodeNet } from './node-net';
import { freePort, launcher, stopProcesses, waitFor } from './processes';

export interface RealNode extends NodeNet {
  name: string;
  /** containerd's socket (for `ctr`) */
  socket: string;
  /** where plain-HTTP registries get their hosts.toml: `DIR/HOST:PORT/hosts.toml` */
  registryConfigDir: string;
}

const CONTAINERD_PID = 'containerd.pid';
const KUBELET_PID = 'kubelet.pid';
const STATE = 'node.json';

export function containerdConfig(root: string, net: { cniConf: string; registries: string }): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = "${root}/root"
state = "${root}/state"
[grpc]
  address = "${root}/containerd.sock"
[ttrpc]
  address = "${root}/containerd.sock.ttrpc"
[${cri}]
  sandbox_image = "${PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  netns_mounts_under_state_dir = true
[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
[${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "${net.cniConf}"
[${cri}.registry]
  config_path = "${net.registries}"
`;
}

function kubeletConfig(root: string, socket: string, net: NodeNet, port: number, healthz: number) {
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: net.nodeIp,
    port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: healthz,
    containerRuntimeEndpoint: `unix://${socket}`,
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    podLogsDir: path.join(root, 'pod-logs'),
    volumePluginDir: path.join(root, 'volume-plugins'),
    serializeImagePulls: false,
    // a shared, busy machine: only what would really break the node evicts
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    nodeStatusUpdateFrequency: '2s',
    // renewed every 2.5 s; the controller manager calls the node lost 20 s after the last renewal
    nodeLeaseDurationSeconds: 10,
    syncFrequency: '5s',
    fileCheckFrequency: '5s',
    shutdownGracePeriod: '0s',
  };
}

/** Starts containerd and a kubelet registering node `name` with the API server of `kubeconfig`. */
export async function startNode(options: {
  dir: string;
  bin: string;
  kubeconfig: string;
  cacheDir: string;
  nodeReady: (name: string) => Promise<boolean>;
  log: (line: string) => void;
}): Promise<RealNode> {
  const root = path.join(options.dir, 'node');
  fs.mkdirSync(root, { recursive: true });
  const net = createNodeNet();
  const name = `co-node-${randomBytes(3).toString('hex')}`;
  const socket = path.join(root, 'containerd.sock');
  const registryConfigDir = path.join(root, 'certs.d');
  fs.mkdirSync(registryConfigDir, { recursive: true });
  const node: RealNode = { ...net, name, socket, registryConfigDir };
  const kubelet = [path.join(options.bin, 'kubelet')];
  const saveState = () =>
    fs.writeFileSync(path.join(options.dir, STATE), JSON.stringify({ ...node, kubelet }));
  saveState();

  const cniConf = writeCniConfig(path.join(root, 'cni'), net);
  fs.writeFileSync(
    path.join(root, 'containerd.toml'),
    containerdConfig(root, { cniConf, registries: registryConfigDir }),
  );
  options.log(`starting containerd (${socket})`);
  const containerd = execFileSync('sh', ['-c', 'command -v containerd'], { encoding: 'utf8' }).trim();
  launcher(options.dir, CONTAINERD_PID)('containerd', containerd, [
    '--config',
    path.join(root, 'containerd.toml'),
  ]);
  const containerdLog = path.join(options.dir, 'logs', 'containerd.log');
  await waitFor('containerd', async () => ctr(socket, 'version').includes('Server'), 60_000, containerdLog);
  await importPauseImage(socket, options.cacheDir);

  const [port, healthz] = [await freePort(), await freePort()];
  const configFile = path.join(root, 'kubelet.yaml');
  fs.writeFileSync(configFile, stringify(kubeletConfig(root, socket, net, port, healthz)));
  options.log(`starting the kubelet: node ${name} at ${net.nodeIp}:${port}`);
  kubelet.push(
    `--config=${configFile}`,
    `--kubeconfig=${options.kubeconfig}`,
    `--root-dir=${path.join(root, 'kubelet')}`,
    `--cert-dir=${path.join(root, 'kubelet-pki')}`,
    `--hostname-override=${name}`,
    `--node-ip=${net.nodeIp}`,
    '--node-labels=containerops.dev/node=real',
    '--v=1',
  );
  saveState();
  startKubelet(options.dir);
  const kubeletLog = path.join(options.dir, 'logs', 'kubelet.log');
  await waitFor(`node ${name} Ready`, () => options.nodeReady(name), 120_000, kubeletLog);
  return node;
}

/** Starts the kubelet of the node recorded in DIR (again, after `stopKubelet`). */
export function startKubelet(dir: string): void {
  const node = readNode(dir);
  launcher(dir, KUBELET_PID)('kubelet', node.kubelet[0]!, node.kubelet.slice(1));
}

/** Stops the node's kubelet (SIGTERM); its pods keep running, as on a node whose kubelet died. */
export function stopKubelet(dir: string): Promise<void> {
  return stopProcesses(dir, KUBELET_PID);
}

function readNode(dir: string): RealNode & { kubelet: string[] } {
  return JSON.parse(fs.readFileSync(path.join(dir, STATE), 'utf8')) as RealNode & { kubelet: string[] };
}

/** Kills every task of the node's containerd and removes the network namespaces of its pods. */
function removeContainers(socket: string): void {
  const netns = new Set<string>();
  const ids = ctr(socket, 'containers', 'ls', '-q').split('\n').filter(Boolean);
  for (const id of ids) {
    try {
      const info = JSON.parse(ctr(socket, 'containers', 'info', id)) as {
        Spec?: { linux?: { namespaces?: Array<{ type: string; path?: string }> } };
      };
      const ns = info.Spec?.linux?.namespaces?.find((n) => n.type === 'network')?.path;
      if (ns) netns.add(ns);
      ctr(socket, 'tasks', 'kill', '--signal', 'SIGKILL', id);
    } catch {
      // no task, or gone already
    }
  }
  for (const id of ids) {
    try {
      ctr(socket, 'tasks', 'delete', '--force', id);
    } catch {
      // no task
    }
  }
  for (const ns of netns) {
    spawnSync('umount', [ns]);
    fs.rmSync(ns, { force: true });
  }
}

/** Lazily unmounts what containerd left mounted under `dir` (sandboxes' shm, rootfs). */
function unmountUnder(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

/** Stops the kubelet, then every container the node's containerd runs, then containerd; removes the network. */
export async function stopNode(dir: string): Promise<void> {
  if (!fs.existsSync(path.join(dir, STATE))) return;
  const node = readNode(dir);
  // the kubelet first, so that nothing restarts what is being removed
  await stopKubelet(dir);
  if (fs.existsSync(path.join(dir, CONTAINERD_PID))) {
    try {
      removeContainers(node.socket);
    } catch {
      // containerd is not answering: its processes go below all the same
    }
  }
  await stopProcesses(dir, CONTAINERD_PID);
  unmountUnder(path.join(dir, 'node'));
  removeNodeNet(node);
  fs.rmSync(path.join(dir, STATE));
}
