import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes at INFO drown test output; warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'WARN') ?? 'ERROR') });
} catch {
  // already installed in this module registry
}
