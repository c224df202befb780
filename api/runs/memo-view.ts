import type { StepRun } from '../../generated/prisma/client';

/**
 * A memoized step in the run JSON: `cached` with `cachedFrom` when an earlier run's result stood
 * in for it, and its fingerprint with the inputs it is made of (names and digests, never values),
 * the digest of the workspace changes it recorded, or why it is not memoizable.
 */
export function memoView(s: StepRun) {
  if (!s.fingerprint) return {};
  return {
    cached: s.cachedFromRunId !== null,
    ...(s.cachedFromRunId ? { cachedFrom: { runId: s.cachedFromRunId, number: s.cachedFromNumber } } : {}),
    fingerprint: {
      digest: s.fingerprint,
      inputs: s.fingerprintInputs ?? [],
      // an attempt that may not stand in for another says why (its workspace changes were over the bound)
      ...(s.notMemoizable ? { notMemoizable: s.notMemoizable } : {}),
      ...(s.workspaceSnapshot ? { workspaceSnapshot: s.workspaceSnapshot } : {}),
    },
  };
}
