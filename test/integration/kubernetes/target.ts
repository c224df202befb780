/**
 * Where the Kubernetes suite runs: the fake API server by default, a real cluster when KUBECONFIG
 * is set (kind, minikube). Scenarios that need the fake's scripting are skipped there, visibly.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../activities/runtimes/kubernetes/kubernetes';
import type { LogStream, StepHooks, StepLaunch } from '../../../activities/runtimes/runtime';
import { FakeKube } from '../../support/fake-kube';

export const realCluster = Boolean(process.env.KUBECONFIG);
/** `npm run test:k8s:real -- --kwok`: kwok nodes, which never run a container. */
export const kwok = realCluster && process.env.CO_K8S_KWOK === '1';
/** `npm run test:k8s:real`: a real node (containerd, a kubelet) this run started and may fault. */
export const realNode = realCluster && process.env.CO_K8S_NODE === 'real';
/** The control plane's directory (scripts/kube/node.ts stops and starts its kubelet from it). */
export const KUBE_DIR = process.env.CO_KUBE_DIR ?? '';

/** Pod annotations read by scripts/kube/kwok-stages.yaml (ignored by kubelets and the fake). */
export const KWOK = {
  exitCode: 'kwok.containerops.dev/exit-code',
  terminationMessage: 'kwok.containerops.dev/termination-message',
  runFor: 'kwok.containerops.dev/run-for',
  neverReady: 'kwok.containerops.dev/never-ready',
} as const;

/** Under kwok, annotations that make the pod exit as a script would have; nothing elsewhere. */
export function kwokExit(exitCode: number, terminationMessage?: string): Record<string, string> {
  if (!kwok) return {};
  return {
    [KWOK.exitCode]: String(exitCode),
    ...(terminationMessage !== undefined ? { [KWOK.terminationMessage]: terminationMessage } : {}),
  };
}
export const TEST_IMAGE = process.env.CO_K8S_TEST_IMAGE ?? 'busybox:1.36';

export interface KubeTarget {
  kc: KubeConfig;
  namespace: string;
  /** Only against the fake. */
  fake?: FakeKube;
  stop(): Promise<void>;
}

export async function startTarget(): Promise<KubeTarget> {
  if (realCluster) {
    return {
      kc: loadKubeConfig(),
      namespace: process.env.CO_K8S_TEST_NAMESPACE ?? 'default',
      stop: async () => {},
    };
  }
  const fake = await new FakeKube().start();
  return { kc: fake.kubeConfig(), namespace: 'default', fake, stop: () => fake.stop() };
}

/** A test that needs the fake's scripted lifecycle; skipped with a reason on a real cluster. */
export function fakeOnly(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (realCluster) {
    test.skip(`${name} [needs the fake API server's scripting]`, () => {});
    console.warn(`skipped on a real cluster (needs the fake's scripting): ${name}`);
    return;
  }
  test(name, fn, timeout);
}

/**
 * The fake's scripted version of a fault that a real node shows for real (`real` names that test):
 * on the real node only the real one runs; elsewhere on a real cluster it is skipped with a reason.
 */
export function fakeScripted(name: string, real: string, fn: () => Promise<void>, timeout?: number): void {
  if (realNode) return;
  if (realCluster) {
    test.skip(`${name} [needs the fake API server's scripting; on a real node: ${real}]`, () => {});
    return;
  }
  test(name, fn, timeout);
}

/** A test that needs a container to really execute (logs, image pulls); skipped with a reason under kwok. */
export function needsContainers(name: string, why: string, fn: () => Promise<void>, timeout?: number): void {
  if (kwok) {
    test.skip(`${name} [kwok runs no container: ${why}]`, () => {});
    console.warn(`skipped under kwok (${why}): ${name}`);
    return;
  }
  test(name, fn, timeout);
}

/** A test that needs real controllers (ControllerRevisions, garbage collection); skipped against the fake. */
export function realOnly(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (!realCluster) {
    test.skip(`${name} [needs a real API server and controllers: npm run test:k8s:real]`, () => {});
    return;
  }
  test(name, fn, timeout);
}

/** Polls until `check` holds (bounded): for state a controller reaches asynchronously. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function stepLaunch(overrides: Partial<StepLaunch> = {}): StepLaunch {
  return {
    project: 'demo',
    runId: uniqueId('run'),
    stepId: 'build',
    matrixKey: '',
    attempt: 1,
    image: TEST_IMAGE,
    env: { CO_RUN: 'test' },
    workspace: '/workspace',
    ...overrides,
  };
}

export interface RecordingHooks extends StepHooks {
  lines: Array<[LogStream, string]>;
  heartbeats: number;
  cancel(): void;
  /** Resolves when a line containing `text` has been seen. */
  lineSeen(text: string): Promise<void>;
}

export function recordingHooks(): RecordingHooks {
  const controller = new AbortController();
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const hooks: RecordingHooks = {
    lines: [],
    heartbeats: 0,
    signal: controller.signal,
    onLine(stream, line) {
      hooks.lines.push([stream, line]);
      for (const w of waiters) if (line.includes(w.text)) w.resolve();
    },
    heartbeat() {
      hooks.heartbeats++;
      if (controller.signal.aborted) throw new Error('activity cancelled');
    },
    cancel: () => controller.abort(),
    lineSeen: (text) =>
      hooks.lines.some(([, l]) => l.includes(text))
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ text, resolve })),
  };
  return hooks;
}

export const stdout = (hooks: RecordingHooks) => hooks.lines.map(([, line]) => line);
