import { compilePipelineSource, type ExecutionPlan, type PipelineError } from '../../../pipeline';

/** Header lines 1-4 of a native document; steps start on line 5. */
export const HEADER = 'apiVersion: containerops/v1\nkind: Pipeline\nname: demo\nsteps:\n';

/** Joins lines into a document (one line per array entry, like the YAML reads). */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

export function errorsOf(source: string): PipelineError[] {
  const result = compilePipelineSource(source);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.errors;
}

export function planOf(source: string): ExecutionPlan {
  const result = compilePipelineSource(source);
  if (!result.ok) throw new Error(`expected a valid document, got ${JSON.stringify(result.errors, null, 2)}`);
  return result.plan;
}
