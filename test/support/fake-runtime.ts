import { CoutReader } from '../../activities/runtimes/cout';
import { parseOutputsFile } from '../../activities/runtimes/outputs';
import type { StepHooks, StepLaunch, StepOutcome, StepRuntime } from '../../activities/runtimes/runtime';

/**
 * A step runtime for workflow tests: no processes, no pods. It interprets the few shell
 * commands the runtime contract uses (echo, printf, sleep, exit, true, false, and
 * `>> "$CO_OUTPUTS"`), keeps every launch for assertions, and passes the same contract suite
 * as the real runtimes (test/integration/runtime-contract/fake.test.ts).
 */
export class FakeRuntime implements StepRuntime {
  readonly name = 'local' as const;
  readonly launches: StepLaunch[] = [];

  async run(launch: StepLaunch, hooks: StepHooks): Promise<StepOutcome> {
    this.launches.push(launch);
    const env = {
      ...launch.env,
      ...launch.secretEnv,
      CO_OUTPUTS: '/fake/outputs',
      CO_WORKSPACE: launch.workspace,
    };
    const cout = new CoutReader();
    let outputsFile = '';
    let stopped: 'timeout' | 'cancelled' | undefined;
    const timer = launch.timeoutMs ? setTimeout(() => (stopped = 'timeout'), launch.timeoutMs) : undefined;
    const onAbort = () => (stopped ??= 'cancelled');
    hooks.signal.addEventListener('abort', onAbort);
    hooks.heartbeat();
    try {
      let exitCode = 0;
      for (const raw of (launch.script ?? '').split('\n')) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const redirect = /\s*>>\s*"?\$\{?CO_OUTPUTS\}?"?\s*$/.exec(line);
        const body = redirect ? line.slice(0, redirect.index) : line;
        const [word = '', ...rest] = body.split(/\s+/);
        const args = expand(rest.join(' '), env);
        let out: string | undefined;
        if (word === 'echo') out = `${args}\n`;
        else if (word === 'printf') out = args.replace(/\\n/g, '\n');
        else if (word === 'sleep') {
          const until = Date.now() + Number(args) * 1000;
          while (Date.now() < until && !stopped) {
            hooks.heartbeat();
            await new Promise((r) => setTimeout(r, 20));
          }
        } else if (word === 'exit') exitCode = Number(args) || 0;
        else if (word === 'false') exitCode = 1;
        else if (word !== 'true') {
          hooks.onLine('stderr', `sh: ${word}: not found`);
          exitCode = 127;
        }
        if (stopped || exitCode !== 0 || word === 'exit') break;
        if (out === undefined) continue;
        if (redirect) outputsFile += out;
        else
          for (const text of out.replace(/\n$/, '').split('\n')) {
            cout.line('stdout', text);
            hooks.onLine('stdout', text);
          }
      }
      const outputs = { ...cout.outputs, ...parseOutputsFile(outputsFile) };
      if (stopped === 'timeout')
        return {
          exitCode: null,
          outputs,
          failure: {
            kind: 'timeout',
            retryable: true,
            message: `step exceeded its timeout of ${launch.timeoutMs} ms`,
          },
        };
      if (stopped === 'cancelled')
        return {
          exitCode: null,
          outputs,
          failure: { kind: 'cancelled', retryable: false, message: 'cancelled' },
        };
      if (exitCode !== 0)
        return {
          exitCode,
          outputs,
          failure: { kind: 'exit', retryable: true, message: `step exited with code ${exitCode}` },
        };
      return { exitCode: 0, outputs };
    } finally {
      clearTimeout(timer);
      hooks.signal.removeEventListener('abort', onAbort);
    }
  }
}

function expand(text: string, env: Record<string, string>): string {
  const unquoted = text.replace(/^'(.*)'$/s, '$1');
  if (unquoted !== text) return unquoted;
  return text
    .replace(/"/g, '')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => env[name] ?? '');
}
