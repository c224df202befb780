import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { signingKey } from '../../lib/signed-tokens';
import type { RunStepInput } from '../../contract';
import { stepFingerprint, type Fingerprint } from './fingerprint';
import { adoptMemoized, findMemoized, inputArtifactDigests, type MemoizedAttempt } from './reuse';

export interface StepMemo {
  fingerprint: Fingerprint;
  /** set when a successful attempt stands in for this one: the step does not run */
  reused?: MemoizedAttempt;
}

/**
 * `memoize:` of a step: its fingerprint, and the earlier attempt that stands in for it when there
 * is one (its artifacts adopted). A failure to adopt runs the step instead: reuse is an optimisation.
 */
export async function memoizeStep(
  deps: { config: Config; db: Db },
  sent: RunStepInput,
  facts: {
    component?: string;
    image?: string;
    resolvedEnv: Record<string, string>;
    resolveSecrets: (value: string) => string;
  },
  workspace: string,
  log: (line: string) => void,
): Promise<StepMemo> {
  const fingerprint = stepFingerprint({
    input: sent,
    ...facts,
    artifactDigests: await inputArtifactDigests(deps.db, sent),
    secretKey: signingKey(deps.config),
  });
  const source = await findMemoized(deps.db, sent, fingerprint.digest, sent.memoize?.maxAgeMs);
  if (!source) {
    log(`[containerops] memoize: fingerprint ${fingerprint.digest} not seen before; the step runs`);
    return { fingerprint };
  }
  try {
    await adoptMemoized(deps, sent, source, workspace, log);
  } catch (err) {
    log(`[containerops] memoize: run #${source.number} could not stand in (${String(err)}); the step runs`);
    return { fingerprint };
  }
  log(`[containerops] memoize: not run; the result of run #${source.number} (same fingerprint) stands in`);
  return { fingerprint, reused: source };
}
