import type { PathSegment } from './errors';
import type { StepDocument } from './schema';

/** Artifact names are file-name safe: they become URL segments and download names. */
export const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Why an `artifacts.out` path may not be packed, or undefined when it is a plain path inside the workspace. */
export function artifactPathProblem(path: string): string | undefined {
  if (path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path)) return 'must be relative to the workspace';
  if (path.split(/[\\/]+/).includes('..')) return 'must not leave the workspace (..)';
  if (path.includes('\0')) return 'must not contain NUL';
  return undefined;
}

/** Located errors for a step's artifact names and paths. */
export function checkArtifacts(
  step: StepDocument,
  path: PathSegment[],
  err: (path: PathSegment[], message: string) => void,
): void {
  (step.artifacts?.out ?? []).forEach((out, j) => {
    if (!ARTIFACT_NAME.test(out.name)) {
      err(
        [...path, 'artifacts', 'out', j, 'name'],
        `artifact name "${out.name}" must match ${ARTIFACT_NAME.source}`,
      );
    }
    const problem = artifactPathProblem(out.path);
    if (problem) err([...path, 'artifacts', 'out', j, 'path'], `artifact path "${out.path}" ${problem}`);
  });
  (step.artifacts?.in ?? []).forEach((input, j) => {
    if (!ARTIFACT_NAME.test(input.name)) {
      err(
        [...path, 'artifacts', 'in', j, 'name'],
        `artifact name "${input.name}" must match ${ARTIFACT_NAME.source}`,
      );
    }
  });
}
