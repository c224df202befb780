import type { Request } from 'express';
import { invalid } from '../../lib/errors';

/** The pipeline source of a request: a YAML body, or JSON `{source}`. */
export function pipelineSource(req: Request): string {
  if (typeof req.body === 'string') return req.body;
  const source = (req.body as { source?: unknown } | undefined)?.source;
  if (typeof source === 'string') return source;
  throw invalid('send the pipeline as application/yaml, or as JSON {"source": "<yaml>"}', [
    { path: 'source', message: 'required: a string holding the pipeline YAML' },
  ]);
}
