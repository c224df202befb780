import fs from 'node:fs';
import path from 'node:path';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { MAX_MANIFEST_DEPTH, scanNesting } from '../../../../pipeline/nesting';
import { apiProblem, isPermanent } from '../api-errors';
import { loadKubeConfig } from '../kubeconfig';
import { sleep } from '../../../../lib/sleep';
import type { StepHooks, StepLaunch, StepOutcome } from '../../runtime';
import { asManifest, serverSideApply, type Manifest } from './apply';

/** Largest manifest source read from a file or URL. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DELETE_WAIT_MS = 120_000;
const DELETE_POLL_MS = 250;

class StepProblem extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/**
 * The kubernetes-apply built-in, run in the worker with the platform's Kubernetes client:
 * `apply` is server-side apply; `replace` deletes each object (waiting until it is gone)
 * and creates it again, as the original ContainerOps `kubectl:` jobs did.
 */
export async function runKubernetesApply(
  launch: StepLaunch,
  hooks: StepHooks,
  defaultKubeConfig?: KubeConfig,
): Promise<StepOutcome> {
  const say = (line: string) => hooks.onLine('stdout', line);
  try {
    const namespace = launch.env.INPUT_NAMESPACE || 'default';
    const mode = launch.env.INPUT_MODE || 'apply';
    const manifests = parseManifests(await manifestSource(launch), namespace);
    const kc = clusterOf(launch, defaultKubeConfig);
    const client = KubernetesObjectApi.makeApiClient(kc);
    const done: string[] = [];
    for (const manifest of manifests) {
      if (hooks.signal.aborted) throw new StepProblem('cancelled');
      const label = `${manifest.kind}/${manifest.metadata.name}`;
      if (mode === 'replace' && (await deleteAndWait(client, manifest, hooks))) say(`deleted ${label}`);
      await kube(() => serverSideApply(kc, manifest), `${mode} ${label}`);
      say(`${mode === 'replace' ? 'created' : 'applied'} ${label} in ${manifest.metadata.namespace}`);
      done.push(label);
      hooks.heartbeat({ done });
    }
    return { exitCode: 0, outputs: { applied: done.join(','), count: String(done.length) } };
  } catch (err) {
    if (hooks.signal.aborted)
      return {
        exitCode: null,
        outputs: {},
        failure: { kind: 'cancelled', retryable: false, message: 'cancelled' },
      };
    const problem = err instanceof StepProblem ? err : new StepProblem((err as Error).message, true);
    hooks.onLine('stderr', problem.message);
    return {
      exitCode: null,
      outputs: {},
      failure: {
        kind: problem.retryable ? 'infrastructure' : 'invalid',
        retryable: problem.retryable,
        message: `kubernetes-apply: ${problem.message}`,
      },
    };
  }
}

/** The worker's cluster, or the one a step's `kubernetes-cluster` service injected as a kubeconfig file. */
function clusterOf(launch: StepLaunch, fallback: KubeConfig | undefined): KubeConfig {
  const injected = Object.entries(launch.env).find(([k]) => /^CO_SERVICE_[A-Z0-9_]+_KUBECONFIG$/.test(k));
  try {
    if (injected) return loadKubeConfig({ kubeconfigPath: injected[1] });
    return fallback ?? loadKubeConfig();
  } catch (err) {
    throw new StepProblem(`no Kubernetes cluster for this step: ${(err as Error).message}`);
  }
}

/** `manifests`: inline YAML, an http(s) URL, or a file or folder in the workspace. */
async function manifestSource(launch: StepLaunch): Promise<string> {
  const value = (launch.env.INPUT_MANIFESTS ?? '').trim();
  if (!value) throw new StepProblem('with.manifests is empty');
  if (/^https?:\/\//i.test(value)) {
    const res = await fetch(value, { signal: AbortSignal.timeout(30_000) }).catch((err: Error) => {
      throw new StepProblem(`cannot fetch ${value}: ${err.message}`, true);
    });
    if (!res.ok) throw new StepProblem(`fetching ${value}: HTTP ${res.status}`, res.status >= 500);
    const text = await res.text();
    if (text.length > MAX_MANIFEST_BYTES) throw new StepProblem(`${value} is larger than 4 MiB`);
    return text;
  }
  if (value.includes('\n') || /^(apiVersion|kind)\s*:/m.test(value) || value.startsWith('{')) return value;
  const file = path.resolve(launch.workspace, value);
  const rel = path.relative(launch.workspace, file);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new StepProblem(`with.manifests: ${value} is outside the workspace`);
  const stat = await fs.promises.stat(file).catch(() => undefined);
  if (!stat) throw new StepProblem(`with.manifests: ${value} does not exist in the workspace`);
  const files = stat.isDirectory()
    ? (await fs.promises.readdir(file))
        .filter((f) => /\.(ya?ml|json)$/.test(f))
        .sort()
        .map((f) => path.join(file, f))
    : [file];
  const texts: string[] = [];
  for (const f of files) {
    if ((await fs.promises.stat(f)).size > MAX_MANIFEST_BYTES)
      throw new StepProblem(`${f} is larger than 4 MiB`);
    texts.push(await fs.promises.readFile(f, 'utf8'));
  }
  return texts.join('\n---\n');
}

function parseManifests(source: string, namespace: string): Manifest[] {
  const manifests: Manifest[] = [];
  // before the recursive parser: a stack overflow in it can abort the whole worker process
  if (scanNesting(source, MAX_MANIFEST_DEPTH))
    throw new StepProblem(`manifests are nested deeper than ${MAX_MANIFEST_DEPTH} levels`);
  for (const doc of parseAllDocuments(source)) {
    if (doc.errors.length) throw new StepProblem(`manifests are not valid YAML: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new StepProblem('every manifest document must be a mapping');
    const items =
      (value as { kind?: string; items?: unknown[] }).kind === 'List'
        ? ((value as { items?: unknown[] }).items ?? [])
        : [value];
    for (const item of items) {
      try {
        manifests.push(asManifest(item as object, namespace));
      } catch (err) {
        throw new StepProblem((err as Error).message);
      }
    }
  }
  if (manifests.length === 0) throw new StepProblem('with.manifests holds no manifest');
  return manifests;
}

/** Deletes an object and waits until the API server no longer has it; false when it did not exist. */
async function deleteAndWait(
  client: KubernetesObjectApi,
  manifest: Manifest,
  hooks: StepHooks,
): Promise<boolean> {
  const ref = {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    metadata: { name: manifest.metadata.name, namespace: manifest.metadata.namespace },
  } satisfies KubernetesObject;
  const label = `${manifest.kind}/${manifest.metadata.name}`;
  try {
    await client.delete(ref, undefined, undefined, undefined, undefined, 'Foreground');
  } catch (err) {
    if (apiProblem(err).code === 404) return false;
    throw asProblem(err, `delete ${label}`);
  }
  const deadline = Date.now() + DELETE_WAIT_MS;
  for (;;) {
    try {
      await client.read(ref);
    } catch (err) {
      if (apiProblem(err).code === 404) return true;
      throw asProblem(err, `read ${label}`);
    }
    if (Date.now() > deadline)
      throw new StepProblem(`${label} was still being deleted after 2 minutes`, true);
    hooks.heartbeat({ deleting: label });
    await sleep(DELETE_POLL_MS, hooks.signal);
    if (hooks.signal.aborted) throw new StepProblem('cancelled');
  }
}

async function kube<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw asProblem(err, what);
  }
}

function asProblem(err: unknown, what: string): StepProblem {
  const problem = apiProblem(err);
  return new StepProblem(
    `${what}: ${problem.code ? `HTTP ${problem.code}: ` : ''}${problem.message}`,
    !isPermanent(problem),
  );
}
