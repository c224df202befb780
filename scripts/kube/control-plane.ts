/**
 * A real Kubernetes control plane on 127.0.0.1, without containers: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes, pod lifecycles from
 * scripts/kube/kwok-stages.yaml). Every port is a free one picked at start, so several can run
 * side by side on a shared machine.
 *
 *   tsx scripts/kube/control-plane.ts start [DIR]   prints DIR; DIR/kubeconfig is the admin's
 *   tsx scripts/kube/control-plane.ts stop DIR      stops the processes recorded in DIR/pids
 */
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { sleep } from '../../lib/sleep';

export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const NODE_NAME = 'kwok-node-0';

export interface ControlPlane {
  dir: string;
  kubeconfig: string;
  server: string;
  token: string;
  /** Where helm, kwok and the control-plane binaries live. */
  bin: string;
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  const tail = logFile && fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s${tail ? `\n--- ${logFile}\n${tail}` : ''}`);
}

export async function startControlPlane(
  options: { dir?: string; nodes?: number; log?: (line: string) => void } = {},
): Promise<ControlPlane> {
  const log = options.log ?? (() => {});
  const bin = ensureBinaries(log);
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'co-kube-'));
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const pids: number[] = [];
  const pidFile = path.join(dir, 'pids');
  const launch = (name: string, args: string[]) => {
    const out = fs.openSync(path.join(dir, 'logs', `${name}.log`), 'a');
    const child = spawn(path.join(bin, name), args, { detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.unref();
    if (!child.pid) throw new Error(`cannot start ${name}`);
    pids.push(child.pid);
    fs.writeFileSync(pidFile, `${pids.join('\n')}\n`);
  };
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
      '--profiling=false',
    ]);
    await waitFor(
      'kube-apiserver',
      async () => (await api('/readyz')).ok,
      90_000,
      path.join(dir, 'logs', 'kube-apiserver.log'),
    );

    const common = [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0'];
    log('starting kube-controller-manager, kube-scheduler and kwok');
    launch('kube-controller-manager', [
      ...common,
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
      `--root-ca-file=${path.join(dir, 'pki', 'apiserver.crt')}`,
      '--profiling=false',
    ]);
    launch('kube-scheduler', [...common, '--profiling=false']);
    launch('kwok', [
      `--kubeconfig=${kubeconfig}`,
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

    const nodes = options.nodes ?? 1;
    for (let i = 0; i < nodes; i++) {
      const name = `kwok-node-${i}`;
      const created = await api('/api/v1/nodes', {
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
      `${nodes} Ready kwok node(s)`,
      async () => {
        const list = (await (await api('/api/v1/nodes')).json()) as {
          items: Array<{
            spec?: { taints?: unknown[] };
            status?: { conditions?: Array<{ type: string; status: string }> };
          }>;
        };
        // Ready, and the node controller has lifted its not-ready taint (or pods would stay Pending).
        const ready = list.items.filter(
          (n) =>
            n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
            !n.spec?.taints?.length,
        );
        return ready.length >= nodes;
      },
      60_000,
      path.join(dir, 'logs', 'kwok.log'),
    );
    // Pods are admitted only once their namespace's default ServiceAccount exists.
    await waitFor(
      'the default ServiceAccount',
      async () => (await api('/api/v1/namespaces/default/serviceaccounts/default')).ok,
      60_000,
      path.join(dir, 'logs', 'kube-controller-manager.log'),
    );
    log(`control plane ready: KUBECONFIG=${kubeconfig}`);
    return { dir, kubeconfig, server, token, bin, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the processes recorded in DIR/pids (newest first), SIGKILL after 10 s. */
export async function stopControlPlane(dir: string): Promise<void> {
  const pidFile = path.join(dir, 'pids');
  if (!fs.existsSync(pidFile)) return;
  const pids = fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number).reverse();
  for (const pid of pids) {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile);
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
