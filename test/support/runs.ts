import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Stack } from './stack';

/** Polls until `check` returns a value (or the deadline passes): waiting on an observable state, never on time. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function createProject(
  stack: Stack,
  name = `p-${crypto.randomBytes(4).toString('hex')}`,
): Promise<string> {
  const res = await stack.request('POST', '/api/v1/projects', { name, description: 'test project' });
  if (res.status !== 201) throw new Error(`create project: ${res.status} ${await res.text()}`);
  return name;
}

export async function createPipeline(stack: Stack, project: string, yaml: string): Promise<void> {
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, yaml);
  if (res.status !== 201) throw new Error(`create pipeline: ${res.status} ${await res.text()}`);
}

export interface RunView {
  id: string;
  number: number;
  status: string;
  error: string | null;
  steps: Array<{
    id: string;
    status: string;
    attempts: number;
    exitCode: number | null;
    outputs: Record<string, string>;
    error: string | null;
    matrixKey: string;
    reused: boolean;
    startedAt: string | null;
    finishedAt: string | null;
  }>;
  /** its Temporal workflow id, stored on the run when it was created */
  workflowId: string;
  links: { temporal: string };
}

export async function trigger(
  stack: Stack,
  project: string,
  pipeline: string,
  params: Record<string, string> = {},
): Promise<RunView> {
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines/${pipeline}/runs`, {
    params,
  });
  if (res.status !== 201) throw new Error(`trigger: ${res.status} ${await res.text()}`);
  return (await res.json()) as RunView;
}

export async function getRun(stack: Stack, project: string, runId: string): Promise<RunView> {
  for (let busy = 0; ; busy++) {
    const res = await stack.request('GET', `/api/v1/projects/${project}/runs/${runId}`);
    // a 503 asks the client to come back (the test stack's API and worker share one connection pool)
    if (res.status === 503 && busy < 10) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
      continue;
    }
    if (res.status !== 200) throw new Error(`get run: ${res.status} ${await res.text()}`);
    return (await res.json()) as RunView;
  }
}

const FINISHED = ['succeeded', 'failed', 'cancelled', 'timed_out'];

export async function waitForRun(
  stack: Stack,
  project: string,
  runId: string,
  timeoutMs = 60_000,
): Promise<RunView> {
  return eventually(
    async () => {
      const run = await getRun(stack, project, runId);
      return FINISHED.includes(run.status) ? run : undefined;
    },
    `run ${runId} to finish`,
    timeoutMs,
  );
}

export async function waitForStep(
  stack: Stack,
  project: string,
  runId: string,
  stepId: string,
  status: string,
): Promise<RunView> {
  return eventually(async () => {
    const run = await getRun(stack, project, runId);
    return run.steps.some((s) => s.id === stepId && s.status === status) ? run : undefined;
  }, `step ${stepId} to be ${status}`);
}

export function step(run: RunView, id: string) {
  const s = run.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id} in run: ${JSON.stringify(run.steps.map((x) => x.id))}`);
  return s;
}

export function readCount(file: string): number {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** A zombie (killed, not yet reaped by its parent) counts as gone. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
