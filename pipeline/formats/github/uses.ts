import type { PathSegment } from '../../errors';
import type { Step } from './schema';

/** The actions a workflow step may use, and what each becomes. */
export type ActionKind = 'checkout' | 'upload-artifact' | 'download-artifact' | 'cache';

const ACTIONS: Record<string, ActionKind> = {
  'actions/checkout': 'checkout',
  'actions/upload-artifact': 'upload-artifact',
  'actions/download-artifact': 'download-artifact',
  'actions/cache': 'cache',
};
const INPUTS: Record<ActionKind, string[]> = {
  checkout: ['repository', 'ref', 'path', 'fetch-depth', 'token'],
  'upload-artifact': ['name', 'path'],
  'download-artifact': ['name'],
  cache: ['key', 'path', 'restore-keys'],
};
export const SUPPORTED_ACTIONS =
  'actions/checkout@*, actions/upload-artifact@*, actions/download-artifact@*, actions/cache@*';

export function actionKind(uses: string): ActionKind | { error: string } {
  const [name] = uses.split('@');
  const kind = ACTIONS[name!.toLowerCase()];
  if (kind) return kind;
  if (name!.toLowerCase().startsWith('actions/cache/')) {
    return {
      error: `uses: ${uses}: separate restore and save steps are not supported: use actions/cache, whose cache is restored before the job's script and saved after it succeeds`,
    };
  }
  return {
    error: `uses: ${uses} is not supported (supported: ${SUPPORTED_ACTIONS}); put the commands in a run: step`,
  };
}

/** Inputs an action step sets that the platform does not honour, at their keys. */
export function unsupportedInputs(
  kind: ActionKind,
  step: Step,
  at: PathSegment[],
): { path: PathSegment[]; message: string }[] {
  const out: { path: PathSegment[]; message: string }[] = [];
  for (const key of Object.keys(step.with ?? {})) {
    if (!INPUTS[kind].includes(key)) {
      out.push({
        path: [...at, 'with', key],
        message: `${kind} input "${key}" is not supported (supported: ${INPUTS[kind].join(', ')})`,
      });
    }
  }
  if (kind === 'upload-artifact' && step.if !== undefined) {
    out.push({
      path: [...at, 'if'],
      message: 'if: on upload-artifact is not supported: artifacts are stored when the job succeeds',
    });
  }
  for (const key of [
    'if',
    'env',
    'continue-on-error',
    'timeout-minutes',
    'shell',
    'working-directory',
    'run',
  ] as const) {
    if (step[key] !== undefined && !(key === 'if' && kind === 'upload-artifact')) {
      out.push({ path: [...at, key], message: `${key} is not supported on a uses: ${kind} step` });
    }
  }
  return out;
}

/** Clone URL of `owner/name` on GitHub. */
export function githubCloneUrl(repository: string): string {
  return `https://github.com/${repository}.git`;
}
