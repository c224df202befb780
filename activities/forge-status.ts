import { ApplicationFailure, heartbeat, sleep } from '@temporalio/activity';
import { TERMINAL_RUN_STATUSES, type RunStatus } from '../contract';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import { ForgeError, forgeClient, isForgeType, type CommitStatus } from '../services/forges';
import { keyringOf, open } from '../lib/secret-box';
import { AddressRefused, guardedAddress } from '../services/address-guard';
import { guardedFetch } from '../services/guarded-fetch';

/** Where a commit status goes: the connected repository (its service holds the token) and the commit. */
export interface CommitStatusTarget {
  forgeRepositoryId: string;
  sha: string;
}

/**
 * Posts a commit status through the repository's service. A forge that is down or answers 5xx
 * fails the attempt and Temporal retries it; a repository or service that was removed, or a
 * 4xx (bad token, no such commit), or an address the guard refuses (link-local always; loopback
 * and private unless CO_SERVICES_ALLOW_PRIVATE), will not get better and stops the retries.
 */
export function createForgeStatusActivities(deps: { db: Db; config: Config }) {
  async function postCommitStatus(target: CommitStatusTarget, status: CommitStatus): Promise<void> {
    const repo = await deps.db.forgeRepository.findUnique({
      where: { id: target.forgeRepositoryId },
      include: { service: true },
    });
    if (!repo || !isForgeType(repo.service.type)) {
      throw ApplicationFailure.nonRetryable('the repository is no longer connected', 'ForgeGone');
    }
    const credentials = repo.service.secret
      ? (JSON.parse(open(keyringOf(deps.config), repo.service.secret)) as { token?: string })
      : {};
    const allowPrivate = deps.config.CO_SERVICES_ALLOW_PRIVATE;
    // the worker connects where a maintainer pointed the service: the service checks' guard applies
    await guardedAddress(new URL(repo.service.url).hostname, allowPrivate).catch((err: unknown) => {
      if (err instanceof AddressRefused) throw ApplicationFailure.nonRetryable(err.message, 'AddressRefused');
      throw err;
    });
    const client = forgeClient(
      repo.service.type,
      repo.service.url,
      credentials.token ?? '',
      guardedFetch(allowPrivate),
    );
    try {
      await client.setStatus(repo.repository, target.sha, status);
    } catch (err) {
      if (err instanceof ForgeError && !err.transient) {
        throw ApplicationFailure.nonRetryable(err.message, 'ForgeRefused');
      }
      throw err;
    }
  }

  /** Waits (heartbeating) until the run has finished; returns its status. */
  async function awaitRunEnd(runId: string): Promise<{ status: RunStatus; number: number }> {
    for (;;) {
      const run = await deps.db.run.findUnique({
        where: { id: runId },
        select: { status: true, number: true },
      });
      if (!run) throw ApplicationFailure.nonRetryable(`run ${runId} no longer exists`, 'RunGone');
      const status = run.status as RunStatus;
      if (TERMINAL_RUN_STATUSES.includes(status)) return { status, number: run.number };
      heartbeat();
      await sleep(1000);
    }
  }

  return { postCommitStatus, awaitRunEnd };
}
