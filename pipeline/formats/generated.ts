import { buildPlan } from '../compile';
import { formatPath, type PathSegment, type PipelineError } from '../errors';
import type { SourceMap } from '../parse';
import type { ExecutionPlan } from '../plan';
import { pipelineSchema } from '../schema';
import { schemaErrors } from '../schema-errors';
import { checkComponentUses, pinPlan, type CatalogSnapshot } from '../uses';
import { validatePipeline, type ProjectNames } from '../validate';

/**
 * Another format is compiled by translating it into a native pipeline document and running
 * that through the native checks and plan builder, so both formats mean the same thing. The
 * origin table says which part of the source each part of the native document came from, so
 * every error still points into the file the user wrote.
 */
export class Origins {
  private readonly table = new Map<string, PathSegment[]>();

  /** Native path -> source path (a prefix of a native path maps everything under it). */
  set(native: PathSegment[], source: PathSegment[]): void {
    this.table.set(formatPath(native), source);
  }

  /** The source path of a native one: its longest mapped prefix, then the rest as it is. */
  sourcePath(native: readonly PathSegment[]): PathSegment[] {
    for (let n = native.length; n >= 0; n--) {
      const found = this.table.get(formatPath(native.slice(0, n)));
      if (found) return [...found, ...native.slice(n)];
    }
    return [];
  }

  /** A SourceMap over native paths that answers with positions in the source document. */
  map(source: SourceMap): SourceMap {
    const locate = (native: readonly PathSegment[]) => source.locate(this.sourcePath(native));
    return {
      locate,
      locateKey: (native) => source.locateKey(this.sourcePath(native)),
      locateInString: (native) => locate(native),
      error: (native, message, at) => {
        const path = this.sourcePath(native);
        return { path: formatPath(path), ...(at ?? source.locate(path)), message };
      },
    };
  }
}

export type GeneratedResult = { ok: true; plan: ExecutionPlan } | { ok: false; errors: PipelineError[] };

/** Checks and compiles a generated native document; errors are located in the source. */
export function compileGenerated(
  doc: Record<string, unknown>,
  origins: Origins,
  source: SourceMap,
  names: ProjectNames,
  catalog?: CatalogSnapshot,
): GeneratedResult {
  const map = origins.map(source);
  const parsed = pipelineSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: schemaErrors(parsed.error, map) };
  const errors = validatePipeline(parsed.data, map, names);
  const checked = catalog ? checkComponentUses(parsed.data, map, catalog) : undefined;
  if (checked) errors.push(...checked.errors);
  if (errors.length > 0) return { ok: false, errors };
  const plan = buildPlan(parsed.data, map);
  return { ok: true, plan: catalog ? pinPlan(plan, catalog, checked!.pins).plan : plan };
}
