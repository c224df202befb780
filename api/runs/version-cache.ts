import type { Db } from '../../lib/db';
import { validatePlan, type ExecutionPlan } from '../../pipeline';

/** What a run's view needs of its pipeline version. */
export interface VersionFacts {
  version: number;
  pipelineName: string;
  plan: ExecutionPlan;
}

/** Versions kept; a view of a run whose version fell out reads it again (one query). */
export const VERSION_CACHE_SIZE = 512;

/**
 * A pipeline version and its pipeline's name never change once written (new source makes a new
 * version; pipelines are never renamed), so GET of a run reads them, and validates the plan,
 * once per version rather than per request. Bounded, least recently used goes first.
 */
export class VersionCache {
  private readonly entries = new Map<string, VersionFacts>();

  constructor(
    private readonly db: Db,
    private readonly size = VERSION_CACHE_SIZE,
  ) {}

  async get(versionId: string): Promise<VersionFacts> {
    const hit = this.entries.get(versionId);
    if (hit) {
      this.entries.delete(versionId);
      this.entries.set(versionId, hit);
      return hit;
    }
    const row = await this.db.pipelineVersion.findUniqueOrThrow({
      where: { id: versionId },
      select: { version: true, plan: true, pipeline: { select: { name: true } } },
    });
    const facts = { version: row.version, pipelineName: row.pipeline.name, plan: validatePlan(row.plan) };
    this.entries.set(versionId, facts);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
    return facts;
  }

  get length(): number {
    return this.entries.size;
  }
}
