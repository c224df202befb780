import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** The Temporal SDK's own log level follows LOG_LEVEL; call before the first worker connection. */
export function installTemporalLogger(level: string): void {
  try {
    Runtime.install({ logger: new DefaultLogger(LEVELS[level] ?? 'INFO') });
  } catch {
    // already installed
  }
}
