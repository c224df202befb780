/**
 * Which front end reads a document. In order:
 * 1. an explicit format (the API's `format` parameter, the CLI's --format) always wins;
 * 2. the file name, when known: `.github/workflows/*.yml|yaml` is GitHub Actions,
 *    `.gitlab-ci.yml` (or `*.gitlab-ci.yml`) is GitLab CI;
 * 3. the shape: `apiVersion: containerops/v1` is native; top-level `jobs:` (a mapping) with
 *    `on:` is GitHub Actions; top-level `stages:` is a ContainerOps flow unless it is a
 *    non-empty list of plain strings and there is no `uri:` (a flow's stages are mappings,
 *    GitLab's are names); a document without `stages:` whose top-level mappings have
 *    `script:` is GitLab CI; anything else is native (and its errors say so).
 */
export const SOURCE_FORMATS = ['native', 'flow', 'github-actions', 'gitlab-ci'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export interface SourceOptions {
  format?: SourceFormat;
  /** the document's path in its repository, e.g. .github/workflows/ci.yml */
  fileName?: string;
  /** the pipeline's name; else derived from the document */
  name?: string;
  /** GitLab `include: local`: path -> contents, supplied by the caller (pure compile reads no files) */
  files?: Record<string, string>;
}

export function isSourceFormat(value: unknown): value is SourceFormat {
  return typeof value === 'string' && (SOURCE_FORMATS as readonly string[]).includes(value);
}

export function detectFormat(doc: Record<string, unknown>, options: SourceOptions = {}): SourceFormat {
  if (options.format) return options.format;
  const file = options.fileName?.replace(/\\/g, '/');
  if (file) {
    if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i.test(file)) return 'github-actions';
    if (/(^|\/|\.)gitlab-ci\.ya?ml$/i.test(file)) return 'gitlab-ci';
  }
  return detectByShape(doc);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function detectByShape(doc: Record<string, unknown>): SourceFormat {
  if ('apiVersion' in doc) return 'native';
  if (isMapping(doc.jobs) && 'on' in doc) return 'github-actions';
  if ('stages' in doc) {
    const stages = doc.stages;
    const gitlab =
      Array.isArray(stages) &&
      stages.length > 0 &&
      stages.every((s) => typeof s === 'string') &&
      !('uri' in doc);
    return gitlab ? 'gitlab-ci' : 'flow';
  }
  const scriptJobs = Object.values(doc).filter((v) => isMapping(v) && ('script' in v || 'extends' in v));
  if (scriptJobs.length > 0 && !('steps' in doc)) return 'gitlab-ci';
  return 'native';
}
