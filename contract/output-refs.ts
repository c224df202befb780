/**
 * A step output too large for a Temporal payload travels as a reference string (claim check):
 * `dockyard-ref:<runId>/<name>?size=<bytes>&digest=sha256:<hex>`. The workflow and its
 * history only ever hold this string; activities resolve it where a later step uses the value.
 */

export interface OutputRef {
  runId: string;
  name: string;
  size: number;
  digest: string;
}

const REF =
  /^dockyard-ref:([0-9a-f-]{36})\/([A-Za-z0-9._%-]{1,600})\?size=(\d{1,12})&digest=(sha256:[a-f0-9]{64})$/;
const REF_ANYWHERE =
  /dockyard-ref:[0-9a-f-]{36}\/[A-Za-z0-9._%-]{1,600}\?size=\d{1,12}&digest=sha256:[a-f0-9]{64}/g;

export function formatOutputRef(ref: OutputRef): string {
  return `dockyard-ref:${ref.runId}/${encodeURIComponent(ref.name)}?size=${ref.size}&digest=${ref.digest}`;
}

export function parseOutputRef(value: string): OutputRef | undefined {
  const m = REF.exec(value);
  if (!m) return undefined;
  return { runId: m[1]!, name: decodeURIComponent(m[2]!), size: Number(m[3]), digest: m[4]! };
}

/** Every reference inside a longer string (a template may embed one in other text). */
export function findOutputRefs(value: string): string[] {
  return value.match(REF_ANYWHERE) ?? [];
}

/** The stored name of one output of one step (and matrix combination). */
export function outputName(stepId: string, key: string, matrixKey: string): string {
  return matrixKey ? `${stepId}[${matrixKey}].${key}` : `${stepId}.${key}`;
}
