/**
 * The host network a real node needs, made per control plane and removed by it: a bridge holding
 * the node IP (an address from the documentation range 198.51.100.0/24: the kubelet refuses
 * loopback, and this kernel has no `dummy` links), and the CNI bridge conflist its pods join.
 * Nothing else on the host is touched: no iptables rule (no masquerade: pods reach only this
 * machine), no other interface.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface NodeNet {
  /** the node IP, on `nodeBridge` */
  nodeIp: string;
  nodeBridge: string;
  /** the bridge CNI makes for the pods, and their /24 */
  podBridge: string;
  podSubnet: string;
  /** the first address of the pods' subnet: their gateway, an address of this machine */
  podGateway: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

function addressesInUse(): string {
  return `${ip('-4', '-o', 'addr')}\n${ip('-4', 'route')}`;
}

/** Picks addresses no interface or route of this machine holds, and makes the node's bridge. */
export function createNodeNet(): NodeNet {
  const used = addressesInUse();
  let nodeIp = '';
  for (let i = 0; i < 50 && !nodeIp; i++) {
    const candidate = `198.51.100.${randomInt(2, 254)}`;
    if (!used.includes(`${candidate}/`)) nodeIp = candidate;
  }
  let podPrefix = '';
  for (let i = 0; i < 50 && !podPrefix; i++) {
    const candidate = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
    if (!used.includes(`${candidate}.`)) podPrefix = candidate;
  }
  if (!nodeIp || !podPrefix) throw new Error('no free address for the node');
  const id = randomBytes(3).toString('hex');
  const net: NodeNet = {
    nodeIp,
    nodeBridge: `cok${id}`,
    podBridge: `cop${id}`,
    podSubnet: `${podPrefix}.0/24`,
    podGateway: `${podPrefix}.1`,
  };
  ip('link', 'add', net.nodeBridge, 'type', 'bridge');
  ip('addr', 'add', `${nodeIp}/32`, 'dev', net.nodeBridge);
  ip('link', 'set', net.nodeBridge, 'up');
  return net;
}

/** Removes both bridges (the pods' veths went with their sandboxes); absent ones are fine. */
export function removeNodeNet(net: Pick<NodeNet, 'nodeBridge' | 'podBridge'>): void {
  for (const link of [net.podBridge, net.nodeBridge]) {
    try {
      ip('link', 'del', link);
    } catch {
      // not there (the CNI bridge exists only once a pod ran)
    }
  }
}

/** The CNI conflist for the pods: a bridge with host-local addresses kept under `dir`. */
export function writeCniConfig(dir: string, net: NodeNet): string {
  const confDir = path.join(dir, 'net.d');
  fs.mkdirSync(confDir, { recursive: true });
  const conflist = {
    cniVersion: '1.0.0',
    name: 'containerops',
    plugins: [
      {
        type: 'bridge',
        bridge: net.podBridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          dataDir: path.join(dir, 'ipam'),
          ranges: [[{ subnet: net.podSubnet, gateway: net.podGateway }]],
          routes: [{ dst: '0.0.0.0/0' }],
        },
      },
    ],
  };
  fs.writeFileSync(path.join(confDir, '10-containerops.conflist'), JSON.stringify(conflist, null, 2));
  return confDir;
}
