import type { Request } from 'express';
import { invalid } from '../../lib/errors';
import { isSourceFormat, SOURCE_FORMATS, type SourceOptions } from '../../pipeline/formats/detect';

/** The pipeline source of a request: a YAML body, or JSON `{source}`. */
export function pipelineSource(req: Request): string {
  if (typeof req.body === 'string') return req.body;
  const source = (req.body as { source?: unknown } | undefined)?.source;
  if (typeof source === 'string') return source;
  throw invalid('send the pipeline as application/yaml, or as JSON {"source": "<yaml>"}', [
    { path: 'source', message: 'required: a string holding the pipeline YAML' },
  ]);
}

const MAX_INCLUDED_FILES = 50;

/**
 * How to read the source: `format` (native, flow, github-actions, gitlab-ci), `path` (the
 * file's path in its repository, e.g. .github/workflows/ci.yml) and `name` (the pipeline's
 * name for formats whose documents have none), from the query string or the JSON body;
 * `files` (JSON body only): the contents of files a GitLab `include: local` names.
 */
export function sourceOptions(req: Request): SourceOptions {
  const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  const pick = (key: string): unknown => body[key] ?? req.query[key];
  const options: SourceOptions = {};
  const format = pick('format');
  if (format !== undefined) {
    if (!isSourceFormat(format)) {
      throw invalid('unknown format', [
        { path: 'format', message: `must be one of ${SOURCE_FORMATS.join(', ')}` },
      ]);
    }
    options.format = format;
  }
  const fileName = pick('path');
  if (fileName !== undefined) {
    if (typeof fileName !== 'string' || fileName.length > 1024)
      throw invalid('bad path', [{ path: 'path', message: 'must be a file path' }]);
    options.fileName = fileName;
  }
  const name = pick('name');
  if (name !== undefined) {
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(name)) {
      throw invalid('bad pipeline name', [{ path: 'name', message: 'must match [a-z][a-z0-9-]{0,62}' }]);
    }
    options.name = name;
  }
  if (body.files !== undefined) options.files = includedFiles(body.files);
  return options;
}

function includedFiles(files: unknown): Record<string, string> {
  const ok =
    typeof files === 'object' &&
    files !== null &&
    !Array.isArray(files) &&
    Object.keys(files).length <= MAX_INCLUDED_FILES &&
    Object.values(files).every((v) => typeof v === 'string');
  if (!ok) {
    throw invalid('bad files', [
      {
        path: 'files',
        message: `must map at most ${MAX_INCLUDED_FILES} file paths to their contents (strings)`,
      },
    ]);
  }
  return { ...(files as Record<string, string>) };
}
