import { sweepStepContainers } from '../activities/runtimes/container/sweep';
import { missingPrograms } from '../activities/runtimes/requires';
import type { Logger } from '../lib/logger';

/**
 * Once, as the worker starts: step containers of a worker that died without cleaning up (kill -9)
 * are removed. Nothing to do on a machine without podman.
 */
export async function sweepLeftContainers(logger: Logger): Promise<void> {
  if ((await missingPrograms(['podman'], process.env.PATH ?? '')).length > 0) return;
  try {
    const removed = await sweepStepContainers({ podman: 'podman' });
    if (removed.length) logger.info({ removed }, 'removed step containers a lost worker left');
  } catch (err) {
    logger.warn({ err }, 'step container sweep failed');
  }
}
