/**
 * Container step overhead beside a host process, one JSON line (`npm run bench -- containers`):
 * - host: a `true` step on the local runtime (one host process);
 * - cold: the first step of an image that is not on this machine, pulled from dockyard (a
 *   bench-only image: a small layer of its own on the Debian base, whose layer is already here);
 * - warm: a step in a container of its own, the image here;
 * - chained: the next step of a chain in the container the chain's previous step started.
 * Medians of several steps; ratios against the host figure of the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerRuntime } from '../activities/runtimes/container/container';
import { LocalRuntime } from '../activities/runtimes/local/local';
import type { StepLaunch, StepRuntime } from '../activities/runtimes/runtime';
import { ensureDebianImage, PLATFORM_IMAGES, podmanArgs, runLogged } from '../scripts/images/debian';
import { platformRef, pushImage, writeAuthfile } from '../scripts/images/dockyard';
import { BENCH_TOKEN, startBenchStack } from './stack';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quiet = () => undefined;

async function stepMs(runtime: StepRuntime, launch: StepLaunch): Promise<number> {
  const start = performance.now();
  const outcome = await runtime.run(launch, {
    onLine: quiet,
    heartbeat: quiet,
    signal: new AbortController().signal,
  });
  if (outcome.failure) throw new Error(`bench step failed: ${outcome.failure.message}`);
  return performance.now() - start;
}

/** A bench-only image in dockyard, absent from this machine: its pull is the cold start. */
async function coldImage(url: string, authfile: string, base: string): Promise<string> {
  const local = `localhost/containerops-bench/cold:${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-bench-img-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${base}\nCOPY nonce /bench-nonce\n`);
  fs.writeFileSync(path.join(dir, 'nonce'), `${Date.now()}-${process.pid}\n`);
  await runLogged('buildah', ['bud', '--isolation', 'chroot', '--pull=false', '-t', local, dir], quiet);
  const remote = platformRef({ url, authfile }, 'bench/cold', String(process.pid));
  await pushImage({ url, authfile }, local, remote, quiet);
  await runLogged('podman', podmanArgs('rmi', '--force', local, remote), quiet);
  fs.rmSync(dir, { recursive: true, force: true });
  return remote;
}

export async function main(): Promise<void> {
  const base = await ensureDebianImage(PLATFORM_IMAGES.base, (l) => console.error(l));
  const stack = await startBenchStack({ worker: false });
  const authfile = writeAuthfile(path.join(stack.config.dataDir, 'auth.json'), stack.api.url, BENCH_TOKEN);
  const host = new URL(stack.api.url).host;
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-bench-ws-'));
  const launch = (i: number, extra: Partial<StepLaunch> = {}): StepLaunch => ({
    project: 'bench',
    runId: 'bench-run',
    stepId: `s${i}`,
    matrixKey: '',
    attempt: 1,
    script: 'true',
    env: {},
    workspace,
    ...extra,
  });
  const local = new LocalRuntime({ killGraceMs: 1000 });
  const containers = new ContainerRuntime({ killGraceMs: 1000, registry: { authfile, insecure: [host] } });
  let cold: string | undefined;
  try {
    cold = await coldImage(stack.api.url, authfile, base);
    const coldMs = await stepMs(containers, launch(0, { image: cold }));
    const hostMs: number[] = [];
    const warm: number[] = [];
    const chained: number[] = [];
    for (let i = 0; i < 3; i++) await stepMs(local, launch(i)); // warm-up
    for (let i = 0; i < 21; i++) hostMs.push(await stepMs(local, launch(i)));
    for (let i = 0; i < 7; i++) warm.push(await stepMs(containers, launch(i, { image: base })));
    for (let i = 0; i < 21; i++) {
      const ms = await stepMs(containers, launch(i, { image: base, shareKey: 'bench-chain' }));
      if (i > 0) chained.push(ms); // the first starts the chain's container
    }
    const h = median(hostMs);
    const figure = { cold: coldMs, warm: median(warm), chained: median(chained) };
    emit({
      bench: 'container-step-overhead',
      hostStepMs: round(h),
      coldImageMs: round(figure.cold),
      warmImageMs: round(figure.warm),
      chainedMs: round(figure.chained),
      ratioToHost: {
        cold: round(figure.cold / h),
        warm: round(figure.warm / h),
        chained: round(figure.chained / h),
      },
    });
  } finally {
    await containers.close();
    // its container may still be going away: the image goes when it can
    if (cold) await runLogged('podman', podmanArgs('rmi', '--force', cold), quiet).catch(() => undefined);
    fs.rmSync(workspace, { recursive: true, force: true });
    await stack.stop();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
