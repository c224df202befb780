import type { CliIo } from './main';

/** A small client of the platform's API for `containerops exec`. */
export class ApiClient {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  request(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
    return fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        accept,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}

interface RunStep {
  id: string;
  status: string;
  matrixKey: string;
  exitCode: number | null;
  error: string | null;
}
export interface RunState {
  id: string;
  number: number;
  status: string;
  error: string | null;
  steps: RunStep[];
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
const STARTED = new Set(['running', 'succeeded', 'failed', 'cancelled', 'timed_out', 'waiting']);

/** Prints one step's log live (server-sent events) with a `[step]` prefix until the step ends. */
async function followStep(
  api: ApiClient,
  project: string,
  runId: string,
  step: RunStep,
  io: CliIo,
): Promise<void> {
  const label = step.matrixKey ? `${step.id} ${step.matrixKey}` : step.id;
  const query = `follow=1${step.matrixKey ? `&matrix=${encodeURIComponent(step.matrixKey)}` : ''}`;
  const res = await api.request(
    'GET',
    `/projects/${project}/runs/${runId}/steps/${step.id}/logs?${query}`,
    undefined,
    'text/event-stream',
  );
  if (!res.ok || !res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^event: end$/m.test(event)) return;
      const data = /^data: (.*)$/m.exec(event)?.[1];
      if (!data) continue;
      const { line, stream } = JSON.parse(data) as { line: string; stream: string };
      (stream === 'stderr' ? io.err : io.out)(`[${label}] ${line}`);
    }
  }
}

/** Follows a run: each step's log as it starts, until the run ends; returns its final state. */
export async function followRun(
  api: ApiClient,
  project: string,
  runId: string,
  io: CliIo,
  pollMs = 400,
): Promise<RunState> {
  const followed = new Map<string, Promise<void>>();
  for (;;) {
    const res = await api.request('GET', `/projects/${project}/runs/${runId}`);
    if (!res.ok) throw new Error(`reading run ${runId}: HTTP ${res.status}`);
    const run = (await res.json()) as RunState;
    for (const step of run.steps) {
      const key = `${step.id}\0${step.matrixKey}`;
      const isMatrixParent =
        step.matrixKey === '' && run.steps.some((s) => s.id === step.id && s.matrixKey !== '');
      if (followed.has(key) || isMatrixParent || !STARTED.has(step.status)) continue;
      followed.set(
        key,
        followStep(api, project, runId, step, io).catch(() => undefined),
      );
    }
    if (FINISHED.has(run.status)) {
      await Promise.all(followed.values());
      return run;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** One line per step that did not succeed, then the run's verdict. */
export function summarize(run: RunState, io: CliIo): void {
  for (const s of run.steps) {
    if (
      s.status === 'succeeded' ||
      (s.matrixKey === '' && run.steps.some((x) => x.id === s.id && x.matrixKey))
    )
      continue;
    const where = s.matrixKey ? `${s.id} (${s.matrixKey})` : s.id;
    const code = s.exitCode === null ? '' : ` exit ${s.exitCode}`;
    (s.status === 'skipped' ? io.out : io.err)(
      `  ${where}: ${s.status}${code}${s.error ? `: ${s.error}` : ''}`,
    );
  }
  const line = `run #${run.number} ${run.status}${run.error ? `: ${run.error}` : ''}`;
  (run.status === 'succeeded' ? io.out : io.err)(line);
}
