/**
 * A fake-kubelet behavior that really runs a pod's containers, as host processes: the init
 * containers one after the other, then the containers side by side. The image is ignored (programs
 * come from the host, the working directory of a container that names none is this repository's
 * root, as the platform image's is). Each emptyDir volume is a temporary directory; a mount path at
 * the start of a command argument, an env value or workingDir is rewritten to it, and the
 * terminationMessagePath of each container to a file its termination message is read from.
 * Env from `secretKeyRef` is resolved as the kubelet does. The step container's output becomes the
 * pod's log. Deleting the pod kills its processes (each container's process group).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { PodBehavior, PodControl } from './pods';

interface Mapping {
  from: string;
  to: string;
}

function rewrite(value: string, mappings: Mapping[]): string {
  for (const { from, to } of mappings) {
    if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

async function runContainer(
  pod: PodControl,
  container: any,
  volumes: Map<string, string>,
  root: string,
  logs: boolean,
): Promise<{ exitCode: number; message: string } | undefined> {
  const termination = path.join(root, `${container.name}.termination-log`);
  fs.writeFileSync(termination, '');
  const mappings: Mapping[] = [
    ...(container.volumeMounts ?? []).map((m: any) => ({ from: m.mountPath, to: volumes.get(m.name)! })),
    { from: container.terminationMessagePath ?? '/dev/termination-log', to: termination },
  ];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() };
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? pod.secretValue(ref.name, ref.key) : (e.value ?? '');
    if (value === undefined) throw new Error(`secret "${ref.name}" has no key "${ref.key}"`);
    env[e.name] = rewrite(value, mappings);
  }
  const [file, ...args] = (container.command ?? []).map((a: string) => rewrite(a, mappings));
  const child = spawn(file, args, {
    cwd: container.workingDir ? rewrite(container.workingDir, mappings) : process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // a process group of its own, so deleting the pod kills what the container started too
    detached: true,
  });
  if (logs) {
    for (const stream of [child.stdout, child.stderr])
      readline.createInterface({ input: stream }).on('line', (line) => pod.log(line));
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }
  const exited = new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 137 : 1)));
  });
  const watch = (async () => {
    while (await pod.sleep(50)) {
      if (child.exitCode !== null || child.signalCode !== null) return;
    }
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  })();
  const exitCode = await exited;
  await watch;
  if (pod.deleted) return undefined;
  return { exitCode, message: fs.readFileSync(termination, 'utf8').slice(0, 4096) };
}

export const runProcesses: PodBehavior = async (pod) => {
  const spec = pod.pod?.spec;
  if (!spec) return;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-pod-'));
  try {
    const volumes = new Map<string, string>();
    for (const v of spec.volumes ?? []) {
      const dir = path.join(root, 'volumes', v.name);
      fs.mkdirSync(dir, { recursive: true });
      volumes.set(v.name, dir);
    }
    pod.schedule();
    for (const init of spec.initContainers ?? []) {
      const result = await runContainer(pod, init, volumes, root, false);
      if (!result) return;
      pod.initExit(init.name, result.exitCode, result.message);
      if (result.exitCode !== 0) return;
    }
    const step = spec.containers[0].name;
    for (const c of spec.containers) pod.startContainer(c.name);
    await Promise.all(
      spec.containers.map(async (c: any) => {
        const result = await runContainer(pod, c, volumes, root, c.name === step);
        if (!result) return;
        if (c.name === step) {
          if (result.message) pod.writeTerminationLog(result.message);
          pod.exit(result.exitCode);
        } else {
          pod.containerExit(c.name, result.exitCode, result.message);
        }
      }),
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};
