/**
 * `npm run test:k8s:real`: the Kubernetes suite against a real control plane started here
 * (scripts/kube/control-plane.ts), then stopped. Extra arguments go to jest.
 * The first run builds the binaries from the Go module proxy: 15-25 minutes on two cores.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { startControlPlane } from './control-plane';

async function main(): Promise<number> {
  const log = (line: string) => process.stderr.write(`[k8s] ${line}\n`);
  const cp = await startControlPlane({ log });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= cp.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop().then(() => process.exit(130)));
  try {
    const jest = spawn(
      'npx',
      ['jest', '--runInBand', 'test/integration/kubernetes', ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, KUBECONFIG: cp.kubeconfig, CO_K8S_KWOK: '1', CO_KUBE_BIN: cp.bin },
      },
    );
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
