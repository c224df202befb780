/**
 * `npm run test:k8s:real`: the Kubernetes suite against a real control plane started here
 * (scripts/kube/control-plane.ts) with a real node (containerd and a kubelet), then stopped.
 * The step image (the Debian base image) and the artifact tool's image are built with podman and
 * imported into the node's containerd. `--kwok` (or CO_K8S_KWOK=1) runs the suite on kwok's fake
 * nodes instead. Other arguments go to jest. The first run builds the binaries from the Go module
 * proxy: 15-25 minutes on two cores.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { ensureDebianImage, PLATFORM_IMAGES } from '../images/debian';
import { startControlPlane, type ControlPlane } from './control-plane';
import { importPodmanImage } from './node-images';
import { ensureToolImage } from './tool-image';

const POD_PIPELINE = 'test/e2e/dockyard/pod-pipeline.test.ts';

/** The images the suite's pods run, in the node's containerd; the env that names them. */
async function nodeImages(cp: ControlPlane, log: (line: string) => void): Promise<Record<string, string>> {
  const node = cp.node!;
  const step = await ensureDebianImage(PLATFORM_IMAGES.base, log);
  const tool = await ensureToolImage(log);
  for (const image of [step, tool]) {
    log(`importing ${image} into the node's containerd`);
    importPodmanImage(node.socket, image);
  }
  return {
    CO_K8S_TEST_IMAGE: step,
    CO_K8S_TEST_TOOL_IMAGE: tool,
    CO_K8S_NODE: 'real',
    CO_K8S_NODE_NAME: node.name,
    CO_K8S_NODE_IP: node.nodeIp,
  };
}

async function main(): Promise<number> {
  const log = (line: string) => process.stderr.write(`[k8s] ${line}\n`);
  const kwok = process.argv.includes('--kwok') || process.env.CO_K8S_KWOK === '1';
  const cp = await startControlPlane({ log, kwok });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= cp.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop().then(() => process.exit(130)));
  try {
    const env = kwok ? { CO_K8S_KWOK: '1' } : await nodeImages(cp, log);
    const args = process.argv.slice(2).filter((a) => a !== '--kwok');
    // the e2e pipeline of pod steps runs on the real node too (through the platform's API and worker)
    const suites = kwok ? ['test/integration/kubernetes'] : ['test/integration/kubernetes', POD_PIPELINE];
    const jest = spawn('npx', ['jest', '--runInBand', ...suites, ...args], {
      stdio: 'inherit',
      env: { ...process.env, ...env, KUBECONFIG: cp.kubeconfig, CO_KUBE_BIN: cp.bin, CO_KUBE_DIR: cp.dir },
    });
    const code = await new Promise<number>((resolve) => jest.on('exit', (c) => resolve(c ?? 1)));
    await stop();
    if (code === 0) fs.rmSync(cp.dir, { recursive: true, force: true });
    else log(`control-plane logs kept in ${cp.dir}/logs`);
    return code;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
