import type { Config } from '../../../lib/config';
import type { Db } from '../../../lib/db';
import type { RunStepInput } from '../../../contract';
import { DockyardClient } from '../client';
import { ArtifactRefused } from '../pack';
import { CacheClient } from './cache-client';
import { restoreCache, saveCache, type CacheState } from './cache-moves';

/**
 * `cache:` of a step on a runtime that shares the worker's workspace (local, container):
 * restored before the step, saved after it succeeds when its key missed. A cache is an
 * optimisation: its failures are logged, never the step's. (A pod restores and saves its own:
 * activities/dockyard/pod-tool.ts, with the same code.)
 */
export class StepCache {
  private state?: CacheState;

  constructor(
    private readonly deps: { config: Config; db: Db },
    private readonly input: RunStepInput & { cache: NonNullable<RunStepInput['cache']> },
    private readonly workspace: string,
    private readonly log: (line: string) => void,
  ) {}

  private client = async (): Promise<CacheClient> => {
    const project = await this.deps.db.project.findUnique({
      where: { name: this.input.project },
      select: { id: true },
    });
    if (!project) throw new ArtifactRefused(`project ${this.input.project} no longer exists`);
    const dockyard = DockyardClient.forRun(this.deps.config, {
      project: this.input.project,
      projectId: project.id,
      runId: this.input.runId,
      timeoutMs: this.input.timeoutMs,
    });
    return new CacheClient(dockyard, this.input.runId);
  };

  async restore(): Promise<void> {
    this.state = await restoreCache(this.client, this.input.cache, this.workspace, this.log);
  }

  async save(): Promise<void> {
    await saveCache(this.client, this.state, this.input.cache.paths, this.workspace, this.log);
  }
}
