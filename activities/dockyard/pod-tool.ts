import fs from 'node:fs';
import { REFUSED_EXIT, type ToolOrders } from '../runtimes/kubernetes/artifact-containers';
import { CacheClient } from './cache/cache-client';
import { restoreCache, saveCache, type CacheState } from './cache/cache-moves';
import { findOutputRefs } from '../../contract/output-refs';
import { DockyardClient } from './client';
import { fetchToFile, OutputTooLarge } from './large-outputs';
import { storePodOutputs, uploaderMessage } from './pod-outputs';
import { ArtifactRefused } from './pack';
import { pullArtifacts, pushArtifacts } from './step-artifacts';

/**
 * `node bin/co-artifacts.js pull|push`: what a step pod's artifact containers run (see
 * activities/runtimes/kubernetes/artifact-containers.ts), with the same code the local runtime's
 * activity uses. Told by env: CO_DOCKYARD_URL, CO_DOCKYARD_TOKEN, CO_ARTIFACTS (the orders),
 * CO_WORKSPACE, and for push CO_STEP_EXIT_FILE; with a cache, CO_CACHE_STATE_FILE (where pull leaves
 * the key it computed over the workspace and whether it hit, for push). Reports on stdout and in the termination message
 * (CO_TERMINATION_LOG, default /dev/termination-log), which the worker copies into the step's log.
 * push also stores the step's outputs file when told where it is (pod-outputs.ts).
 */

export interface ToolIo {
  out(line: string): void;
  /** how long push waits between looks at the step's exit file */
  pollMs?: number;
  signal?: AbortSignal;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The step's exit code once the step container's wrapper has written it. */
async function stepExitCode(file: string, io: ToolIo): Promise<number | undefined> {
  for (;;) {
    const text = await fs.promises.readFile(file, 'utf8').catch(() => '');
    // the newline marks a complete write
    const match = /^(\d+)\n/.exec(text);
    if (match) return Number(match[1]);
    if (io.signal?.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 500));
  }
}

/** `cache:` in the pod: restored after the input artifacts (hashFiles sees them), state kept for push. */
async function restorePodCache(
  client: DockyardClient,
  orders: ToolOrders,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
) {
  if (!orders.cache) return;
  const workspace = required(env, 'CO_WORKSPACE');
  const cacheClient = async () => new CacheClient(client, orders.runId);
  const state = await restoreCache(cacheClient, orders.cache, workspace, log);
  await fs.promises.writeFile(required(env, 'CO_CACHE_STATE_FILE'), JSON.stringify(state ?? null));
}

async function savePodCache(
  client: DockyardClient,
  orders: ToolOrders,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
) {
  if (!orders.cache) return;
  const text = await fs.promises.readFile(required(env, 'CO_CACHE_STATE_FILE'), 'utf8').catch(() => 'null');
  const state = JSON.parse(text) as CacheState | null;
  const cacheClient = async () => new CacheClient(client, orders.runId);
  await saveCache(cacheClient, state ?? undefined, orders.cache.paths, required(env, 'CO_WORKSPACE'), log);
}

async function storeOutputs(
  client: DockyardClient,
  file: string,
  facts: { runId: string; step: string; matrix: string; attempt: number },
  log: (line: string) => void,
): Promise<string> {
  const text = await storePodOutputs(client, file, facts);
  const stored = findOutputRefs(text).length;
  if (stored)
    log(`[containerops] ${stored} output value(s) too large for the pod's message stored in dockyard`);
  return text;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, io: ToolIo): Promise<number> {
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    io.out(line);
  };
  let outputs: string | undefined;
  const report = () =>
    fs.promises
      .writeFile(env.CO_TERMINATION_LOG ?? '/dev/termination-log', uploaderMessage(lines, outputs))
      .catch(() => undefined);
  try {
    const verb = argv[0];
    if (verb !== 'pull' && verb !== 'push') throw new Error(`usage: co-artifacts pull|push (got ${verb})`);
    const orders = JSON.parse(required(env, 'CO_ARTIFACTS')) as ToolOrders;
    const client = DockyardClient.withToken(
      required(env, 'CO_DOCKYARD_URL'),
      required(env, 'CO_DOCKYARD_TOKEN'),
    );
    const workspace = required(env, 'CO_WORKSPACE');
    const artifacts = { in: orders.in, out: orders.out };
    if (verb === 'pull') {
      await pullArtifacts(client, artifacts, workspace, orders.runIds, log);
      for (const ref of orders.refs ?? []) {
        const file = await fetchToFile(client, ref, `${workspace}/.co/refs`);
        log(`[containerops] large output fetched into ${file}`);
      }
      await restorePodCache(client, orders, env, log);
    } else {
      const code = await stepExitCode(required(env, 'CO_STEP_EXIT_FILE'), io);
      if (code === undefined) return 1;
      if (code !== 0) {
        log(`[containerops] the step exited ${code}: no artifact stored`);
      } else {
        const facts = {
          runId: orders.runId,
          step: orders.step,
          matrix: orders.matrix,
          attempt: orders.attempt,
        };
        await pushArtifacts(client, artifacts, workspace, facts, log);
        if (orders.outputs) outputs = await storeOutputs(client, required(env, 'CO_OUTPUTS'), facts, log);
        await savePodCache(client, orders, env, log);
      }
    }
    await report();
    return 0;
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    await report();
    return err instanceof ArtifactRefused || err instanceof OutputTooLarge ? REFUSED_EXIT : 1;
  }
}
