import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import {
  createPipeline,
  createProject,
  eventually,
  processAlive,
  step,
  trigger,
  waitForRun,
} from '../../support/runs';

let stack: Stack;
let project: string;
let scratch: string;
beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'co-hardening-'));
});
afterAll(async () => {
  await stack?.stop();
});

const pipeline = (name: string, run: string) =>
  `apiVersion: containerops/v1\nkind: Pipeline\nname: ${name}\nsteps:\n  - id: main\n    run: |\n${run
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`;

function stat(pid: number): string[] {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}
const sessionOf = (pid: number) => Number(stat(pid)[3]);
const parentOf = (pid: number) => Number(stat(pid)[1]);

describe('step processes (local runtime)', () => {
  it('gives each attempt a CO_ATTEMPT_ID and kills what it left running in another session (items 11, 14)', async () => {
    const pidFile = path.join(scratch, 'escaped.pid');
    await createPipeline(
      stack,
      project,
      pipeline(
        'escape',
        `setsid sleep 301 >/dev/null 2>&1 &\necho $! > ${pidFile}\necho "id=$CO_ATTEMPT_ID" >> "$CO_OUTPUTS"`,
      ),
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'escape')).id);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'main').outputs.id).toMatch(/^[0-9a-f]{32}$/);
    const escaped = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(escaped).toBeGreaterThan(0);
    await eventually(
      () => (processAlive(escaped) ? undefined : true),
      'the escaped process to be killed',
      10_000,
    );
  });

  it('keeps the launcher out of the terminal session, and retries the step when the launcher is lost (item 1)', async () => {
    const pids = path.join(scratch, 'lost.pids');
    const go = path.join(scratch, 'lost.go');
    await createPipeline(
      stack,
      project,
      pipeline('lost', `echo $$ >> ${pids}\nwhile [ ! -f ${go} ]; do sleep 0.1; done\necho finished`),
    );
    const started = await trigger(stack, project, 'lost');
    const first = await eventually(
      () =>
        fs.existsSync(pids) ? Number(fs.readFileSync(pids, 'utf8').split('\n')[0]) || undefined : undefined,
      'the step to start',
    );
    // the step's parent is the launcher
    const launcher = parentOf(first);
    expect(fs.readFileSync(`/proc/${launcher}/cmdline`, 'utf8')).toContain('launcher-process.js');
    expect(parentOf(launcher)).toBe(process.pid);
    // a Ctrl-C (SIGINT to the terminal's process group) cannot reach it
    expect(sessionOf(launcher)).not.toBe(sessionOf(process.pid));
    expect(sessionOf(launcher)).toBe(launcher);
    process.kill(launcher, 'SIGKILL');
    const second = await eventually(() => {
      const lines = fs.readFileSync(pids, 'utf8').split('\n').filter(Boolean);
      return lines.length >= 2 ? Number(lines[1]) : undefined;
    }, 'the step to run again');
    expect(second).not.toBe(first);
    expect(processAlive(first)).toBe(false);
    fs.writeFileSync(go, '');
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    // the platform's failure did not use up one of the step's own attempts
    expect(step(run, 'main').attempts).toBe(1);
  });

  it('runs a step again when a worker stops past its shutdown grace, without failing the run (item 1)', async () => {
    const pids = path.join(scratch, 'stopped.pids');
    const go = path.join(scratch, 'stopped.go');
    await createPipeline(
      stack,
      project,
      pipeline('stopped', `echo $$ >> ${pids}\nwhile [ ! -f ${go} ]; do sleep 0.1; done`),
    );
    const started = await trigger(stack, project, 'stopped');
    await eventually(() => (fs.existsSync(pids) ? true : undefined), 'the step to start');
    // CO_SHUTDOWN_GRACE_MS is 1 s here: the step is still running when it ends
    await stack.worker!.stop();
    await stack.startWorker();
    await eventually(
      () => (fs.readFileSync(pids, 'utf8').split('\n').filter(Boolean).length >= 2 ? true : undefined),
      'the step to run again on the new worker',
    );
    fs.writeFileSync(go, '');
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('succeeded');
    expect(step(run, 'main').attempts).toBe(1);
  });
});
