import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { componentLaunch } from '../../activities/component-launch';
import type { LogStream, StepLaunch, StepOutcome, StepRuntime } from '../../activities/runtimes/runtime';
import { parseComponentSource } from '../../pipeline';

/**
 * The step runtime contract: one set of behaviours every runtime (local processes, Kubernetes
 * pods, the fake used by workflow tests) must show, whatever it runs on. The scripts keep to
 * the few shell commands the fake kubelet and the fake runtime interpret (echo, printf, sleep,
 * exit, true, false, `>> "$CO_OUTPUTS"`), so the same cases run everywhere.
 */
export interface RuntimeUnderTest {
  runtime: StepRuntime;
  /** a workspace path as the runtime sees it */
  workspace(): string;
  /** the image for container runtimes */
  image?: string;
  close(): Promise<void>;
}

interface Recorded {
  outcome: StepOutcome;
  lines: string[];
  streams: LogStream[];
  heartbeats: number;
}

const COMPONENT = `apiVersion: containerops/v1
kind: Component
name: contract-greeter
version: 1.0.0
run: |
  echo "hello $INPUT_NAME x$INPUT_TIMES"
  echo "data $CO_DATA"
  echo "token $INPUT_TOKEN"
  echo "greeting=hi-$INPUT_NAME" >> "$CO_OUTPUTS"
inputs:
  - { name: name, required: true }
  - { name: times, type: integer, default: 2 }
  - { name: token, secret: true }
`;

export function runtimeContract(name: string, setup: () => Promise<RuntimeUnderTest>): void {
  describe(`the ${name} runtime keeps the step runtime contract`, () => {
    let target: RuntimeUnderTest;
    beforeAll(async () => {
      target = await setup();
    });
    afterAll(() => target?.close());

    const launch = (script: string, extra: Partial<StepLaunch> = {}): StepLaunch => ({
      project: 'contract',
      runId: `run-${crypto.randomBytes(4).toString('hex')}`,
      stepId: 'step',
      matrixKey: '',
      attempt: 1,
      image: target.image,
      script,
      env: { CO_RUN_ID: 'contract-run', CO_STEP_ID: 'step' },
      workspace: target.workspace(),
      timeoutMs: 60_000,
      ...extra,
    });

    async function run(l: StepLaunch, onLine?: (line: string, abort: () => void) => void): Promise<Recorded> {
      const controller = new AbortController();
      const recorded: Omit<Recorded, 'outcome'> = { lines: [], streams: [], heartbeats: 0 };
      const outcome = await target.runtime.run(l, {
        onLine: (stream, line) => {
          recorded.lines.push(line);
          recorded.streams.push(stream);
          onLine?.(line, () => controller.abort());
        },
        heartbeat: () => void recorded.heartbeats++,
        signal: controller.signal,
      });
      return { ...recorded, outcome };
    }

    test('a script that exits 0 succeeds with exit code 0', async () => {
      const { outcome } = await run(launch('true'));
      expect(outcome.failure).toBeUndefined();
      expect(outcome.exitCode).toBe(0);
    });

    test('a non-zero exit fails as a retryable "exit" carrying the exit code', async () => {
      const { outcome } = await run(launch('echo failing\nexit 3'));
      expect(outcome.exitCode).toBe(3);
      expect(outcome.failure).toMatchObject({ kind: 'exit', retryable: true });
    });

    test('outputs come from $CO_OUTPUTS and from [COUT] lines', async () => {
      const { outcome, lines } = await run(
        launch('echo "artifact=web-1.2.3" >> "$CO_OUTPUTS"\necho "[COUT] coverage = 87"'),
      );
      expect(outcome.outputs).toEqual({ artifact: 'web-1.2.3', coverage: '87' });
      expect(lines).toContain('[COUT] coverage = 87');
    });

    test('log lines arrive in order, on stdout', async () => {
      const { lines, streams } = await run(launch('echo one\necho two\necho three'));
      expect(lines).toEqual(['one', 'two', 'three']);
      expect(new Set(streams)).toEqual(new Set(['stdout']));
    });

    test('env and secret env reach the step', async () => {
      const { lines } = await run(
        launch('echo "greeting $GREETING"\necho "secret $API_TOKEN"', {
          env: { GREETING: 'hello' },
          secretEnv: { API_TOKEN: 'tok-contract-1' },
        }),
      );
      expect(lines).toEqual(['greeting hello', 'secret tok-contract-1']);
    });

    test('component inputs arrive as INPUT_<NAME> and CO_DATA, secret ones as secret env', async () => {
      const parsed = parseComponentSource(COMPONENT);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const component = componentLaunch(
        { name: 'contract-greeter', version: '1.0.0', spec: parsed.spec },
        { name: 'world', token: 'tok-input-2' },
      );
      const plain = { ...component.env };
      const secret: Record<string, string> = {};
      for (const n of component.secretEnvNames) {
        secret[n] = plain[n]!;
        delete plain[n];
      }
      const { outcome, lines } = await run(
        launch(component.script!, { env: plain, secretEnv: secret, component: 'contract-greeter' }),
      );
      expect(outcome.failure).toBeUndefined();
      expect(lines).toEqual([
        'hello world x2',
        'data name=world times=2 token=tok-input-2',
        'token tok-input-2',
      ]);
      expect(outcome.outputs).toEqual({ greeting: 'hi-world' });
    });

    test('a step over its timeout is stopped and fails as "timeout"', async () => {
      const { outcome, lines } = await run(launch('echo started\nsleep 30\necho never', { timeoutMs: 1500 }));
      expect(outcome.failure).toMatchObject({ kind: 'timeout' });
      expect(lines).not.toContain('never');
    });

    test('cancelling stops the step and reports "cancelled", not retryable', async () => {
      const { outcome, lines, heartbeats } = await run(
        launch('echo started\nsleep 30\necho never'),
        (line, abort) => line === 'started' && abort(),
      );
      expect(outcome.failure).toMatchObject({ kind: 'cancelled', retryable: false });
      expect(lines).not.toContain('never');
      expect(heartbeats).toBeGreaterThan(0);
    });
  });
}

/** A scratch workspace on this machine. */
export function localWorkspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'co-contract-'));
}
