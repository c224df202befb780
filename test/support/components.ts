import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { componentLaunch } from '../../activities/component-launch';
import { inProcessStep } from '../../activities/in-process-steps';
import type { ResolvedComponent } from '../../activities/nucleus/components';
import { secretMasker } from '../../activities/logarithm/mask';
import { LocalRuntime } from '../../activities/runtimes/local/local';
import type { StepOutcome } from '../../activities/runtimes/runtime';
import { parseComponentSource } from '../../pipeline';

const COMPONENTS = path.resolve(__dirname, '../../components');

/** A built-in component as the worker resolves it: its spec from components/<name>, its folder. */
export function builtin(name: string): ResolvedComponent {
  const dir = path.join(COMPONENTS, name);
  const parsed = parseComponentSource(fs.readFileSync(path.join(dir, 'component.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error(`${name}: ${JSON.stringify(parsed.errors)}`);
  return { name, version: parsed.spec.version, spec: parsed.spec, dir };
}

export interface ComponentRun {
  outcome: StepOutcome;
  /** log lines as the run's log shows them (secret inputs masked) */
  lines: string[];
  workspace: string;
}

/** One runtime (one launcher process) for every component a test file runs. */
const runtime = new LocalRuntime({ killGraceMs: 1000 });

/**
 * Runs a built-in component the way `runStep` does (same input delivery, same masking), on a
 * real local runtime, or in the worker for built-ins the platform runs itself.
 */
export async function runComponent(
  name: string,
  data: Record<string, string>,
  opts: { workspace?: string; kubeConfig?: KubeConfig; env?: Record<string, string> } = {},
): Promise<ComponentRun> {
  const component = builtin(name);
  const launch = componentLaunch(component, data);
  if (launch.problem) throw new Error(launch.problem);
  const workspace = opts.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), `co-${name}-`));
  const mask = secretMasker(launch.secretValues);
  const lines: string[] = [];
  const stepLaunch = {
    project: 'p',
    runId: `r-${Date.now()}`,
    stepId: name,
    matrixKey: '',
    attempt: 1,
    image: launch.image,
    script: launch.script,
    env: { ...launch.baseEnv, ...opts.env, ...launch.env, CO_RUN_ID: 'run-1', CO_STEP_ID: name },
    workspace,
    timeoutMs: 60_000,
    component: name,
    requires: launch.requires,
  };
  const hooks = {
    onLine: (_stream: string, line: string) => lines.push(mask(line)),
    heartbeat: () => undefined,
    signal: new AbortController().signal,
  };
  const inProcess = inProcessStep(name);
  const outcome = inProcess
    ? await inProcess(stepLaunch, hooks, opts.kubeConfig)
    : await runtime.run(stepLaunch, hooks);
  return { outcome, lines, workspace };
}
