import { ConfigError } from './config';
import { StartupError } from './connect';

type Cleanup = () => Promise<void>;

/** A second signal sooner than this after the first is the same stop request, relayed. */
const REPEAT_WINDOW_MS = 1000;

/**
 * Runs an entry point: a start-up failure prints one clear line and exits 1; SIGINT/SIGTERM
 * run the registered clean-ups in reverse order, then exit 0.
 */
export function runMain(start: (onShutdown: (fn: Cleanup) => void) => Promise<void>): void {
  const cleanups: Cleanup[] = [];
  let stoppingSince = 0;
  const stop = async (signal: string) => {
    if (stoppingSince) {
      // npm and tsx relay the signal the process group already delivered: only a later one forces
      if (Date.now() - stoppingSince < REPEAT_WINDOW_MS) return;
      console.error(`${signal} again: exiting now`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    console.error(`${signal}: shutting down`);
    for (const fn of cleanups.reverse()) {
      await fn().catch((err) => console.error(`shutdown: ${(err as Error).message}`));
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  start((fn) => cleanups.push(fn)).catch(async (err) => {
    const known = err instanceof ConfigError || err instanceof StartupError;
    console.error(known ? `error: ${err.message}` : err);
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    process.exit(1);
  });
}
