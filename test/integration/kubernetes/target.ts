/**
 * Where the Kubernetes suite runs: the fake API server by default, a real cluster when KUBECONFIG
 * is set (kind, minikube). Scenarios that need the fake's scripting are skipped there, visibly.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../activities/runtimes/kubernetes';
import type { LogStream, StepHooks, StepLaunch } from '../../../activities/runtimes/runtime';
import { FakeKube } from '../../support/fake-kube';

export const realCluster = Boolean(process.env.KUBECONFIG);
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
