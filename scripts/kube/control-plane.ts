/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, and a real node (containerd and a kubelet, scripts/kube/node.ts) whose pods run
 * real processes. `kwok: true` gives kwok's fake nodes instead (pod lifecycles scripted by
 * scripts/kube/kwok-stages.yaml; no container runs). Every port is a free one picked at start,
 * so several can run side by side on a shared machine.
 *
 *   tsx scripts/kube/control-plane.ts start [DIR]   prints DIR; DIR/kubeconfig is the admin's
 *   tsx scripts/kube/control-plane.ts stop DIR      stops the processes recorded in DIR/pids
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startKwokNodes } from './kwok-nodes';
import { startNode, stopNode, type RealNode } from './node';
import { freePort, launcher, stopProcesses, waitFor } from './processes';

interface NodeStatus {
  metadata?: { name?: string };
  spec?: { taints?: unknown[] };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/** Ready, and the node controller has lifted its not-ready taint (or pods would stay Pending). */
const schedulable = (n: NodeStatus) =>
  !!n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !n.spec?.taints?.length;

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  server: string;
  token: string;
  /** Where helm, kwok and the control-plane binaries live. */
  bin: string;
  /** The real node (containerd and a kubelet); absent when kwok's fake nodes were asked for. */
  node?: RealNode;
  stop(): Promise<void>;
}

/** Builds the binaries when the cache lacks them (long the first time) and returns their directory. */
export function ensureBinaries(log: (line: string) => void = () => {}): string {
  const script = path.join(__dirname, 'build.sh');
  log('checking the Kubernetes binaries (a cold build takes 15-25 min)');
  const out = execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  return out.trim().split('\n').at(-1) ?? '';
}

interface Reply {
  ok: boolean;
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** One API request; the serving certificate is self-signed (--cert-dir), so it is not verified. */
function request(url: string, token: string, init: { method?: string; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        rejectUnauthorized: false,
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            text: async () => body,
            json: async () => JSON.parse(body) as unknown,
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function startControlPlane(
  options: { dir?: string; kwok?: boolean; nodes?: number; log?: (line: string) => void } = {},
): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const bin = ensureBinaries(log);
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'co-kube-'));
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const start = launcher(dir, 'pids');
  const launch = (name: string, args: string[]) => start(name, path.join(bin, name), args);
  const stop = () => stopControlPlane(dir);

  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const token = randomBytes(24).toString('hex');
    fs.writeFileSync(path.join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'co-kube', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token } }],
        contexts: [{ name: 'co-kube', context: { cluster: 'co-kube', user: 'admin', namespace: 'default' } }],
        'current-context': 'co-kube',
      }),
      { mode: 0o600 },
    );
    const api = (p: string, init: { method?: string; body?: string } = {}) =>
      request(`${server}${p}`, token, init);

    log(`starting etcd on 127.0.0.1:${etcdClient}`);
    launch('etcd', [
      '--name=co-kube',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=co-kube=http://127.0.0.1:${etcdPeer}`,
      '--log-level=warn',
      '--quota-backend-bytes=1073741824',
    ]);
    await waitFor(
      'etcd',
      async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok,
      30_000,
      path.join(dir, 'logs', 'etcd.log'),
    );

    log(`starting kube-apiserver on ${server}`);
    launch('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${path.join(dir, 'pki')}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      // The `kubernetes` Service would point at 127.0.0.1, which EndpointSlices refuse.
      '--endpoint-reconciler-type=none',
      // the node's name does not resolve: logs and exec reach its kubelet by its InternalIP
      '--kubelet-preferred-address-types=InternalIP',
      // a node whose kubelet stopped loses its pods within seconds, not the default 5 minutes
      '--default-not-ready-toleration-seconds=5',
      '--default-unreachable-toleration-seconds=5',
      '--profiling=false',
    ]);
    await waitFor(
      'kube-apiserver',
      async () => (await api('/readyz')).ok,
      90_000,
      path.join(dir, 'logs', 'kube-apiserver.log'),
    );

    const common = [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0'];
    log('starting kube-controller-manager and kube-scheduler');
    launch('kube-controller-manager', [
      ...common,
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
      `--root-ca-file=${path.join(dir, 'pki', 'apiserver.crt')}`,
      // the real node is judged lost 20 s after its kubelet's last lease renewal (the default: 50 s)
      ...(options.kwok ? [] : ['--node-monitor-period=2s', '--node-monitor-grace-period=20s']),
      '--profiling=false',
    ]);
    launch('kube-scheduler', [...common, '--profiling=false']);
    const nodeReady = async (name?: string) => {
      const list = (await (await api('/api/v1/nodes')).json()) as { items: NodeStatus[] };
      return list.items.filter((n) => (!name || n.metadata?.name === name) && schedulable(n)).length;
    };
    let node: RealNode | undefined;
    if (options.kwok) {
      await startKwokNodes({ dir, kubeconfig, launch, api, nodes: options.nodes ?? 1, nodeReady });
    } else {
      const cacheDir = path.join(path.dirname(bin), 'node');
      node = await startNode({
        dir,
        bin,
        kubeconfig,
        cacheDir,
        log,
        nodeReady: async (n) => (await nodeReady(n)) > 0,
      });
    }
    // Pods are admitted only once their namespace's default ServiceAccount exists.
    await waitFor(
      'the default ServiceAccount',
      async () => (await api('/api/v1/namespaces/default/serviceaccounts/default')).ok,
      60_000,
      path.join(dir, 'logs', 'kube-controller-manager.log'),
    );
    log(`control plane ready: KUBECONFIG=${kubeconfig}`);
    return { dir, kubeconfig, server, token, bin, node, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Stops the node (when there is one), then the processes recorded in DIR/pids (newest first). */
export async function stopControlPlane(dir: string): Promise<void> {
  await stopNode(dir);
  await stopProcesses(dir, 'pids');
}

if (require.main === module) {
  const [command, dir] = process.argv.slice(2);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (command === 'start') {
    startControlPlane({ dir, log }).then(
      (cp) => process.stdout.write(`${cp.dir}\n`),
      (err: Error) => {
        log(err.message);
        process.exit(1);
      },
    );
  } else if (command === 'stop' && dir) {
    void stopControlPlane(dir);
  } else {
    log('usage: control-plane.ts start [DIR] | stop DIR');
    process.exit(2);
  }
}
