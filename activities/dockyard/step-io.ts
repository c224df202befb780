import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { findOutputRefs } from '../../contract/output-refs';
import type { RunStepInput } from '../../contract';
import { POD_REFS_DIR, type PodArtifacts } from '../runtimes/runtime';
import { DockyardClient } from './client';
import { INLINE_OUTPUT_BYTES, offloadLargeOutputs, OutputTooLarge, resolveOutputRefs } from './large-outputs';
import { ArtifactRefused } from './pack';
import { pullArtifacts, pushArtifacts } from './step-artifacts';

export { ArtifactRefused };

/**
 * A step's exchange with dockyard: artifacts in before it starts, large outputs and artifacts out
 * after. With `artifactsInPod` the step's pod moves its artifacts itself (its workspace is not the
 * worker's), and this only hands it the credentials (`podArtifacts`).
 */
export class StepIo {
  private client?: DockyardClient;
  /** large outputs the pod fetches itself */
  private podRefs: string[] = [];

  constructor(
    private readonly deps: { config: Config; db: Db },
    private readonly input: RunStepInput,
    private readonly workspace: string,
    private readonly log: (line: string) => void,
    private readonly artifactsInPod = false,
  ) {}

  /** This run, then the run whose workspace it continues (a rerun reusing a step). */
  private get runIds(): string[] {
    return [...new Set([this.input.runId, this.input.workspaceId].filter((r): r is string => !!r))];
  }

  /**
   * What the pod needs to move the step's artifacts and cache, fetch its large outputs and store its
   * outputs file itself (every pod step: its outputs may pass a termination message's 4 KiB).
   */
  async podArtifacts(): Promise<PodArtifacts | undefined> {
    const { in: inputs = [], out = [] } = this.input.artifacts ?? {};
    const { cache } = this.input;
    if (!this.artifactsInPod) return undefined;
    const { runsUrl, token } = (await this.dockyard()).credentials;
    const moves = { in: inputs, out, refs: this.podRefs, outputs: true, ...(cache ? { cache } : {}) };
    return { runsUrl, token, runIds: this.runIds, ...moves };
  }

  private async dockyard(): Promise<DockyardClient> {
    if (!this.client) {
      const project = await this.deps.db.project.findUnique({
        where: { name: this.input.project },
        select: { id: true },
      });
      if (!project) throw new ArtifactRefused(`project ${this.input.project} no longer exists`);
      this.client = DockyardClient.forRun(this.deps.config, {
        project: this.input.project,
        projectId: project.id,
        runId: this.input.runId,
        timeoutMs: this.input.timeoutMs,
      });
    }
    return this.client;
  }

  private get facts() {
    const { runId, stepId, matrixKey, attempt } = this.input;
    return { runId, step: stepId, matrix: matrixKey, attempt };
  }

  /** Unpacks input artifacts and resolves output references; returns what the step is launched with. */
  async prepare(launch: { env: Record<string, string>; data: Record<string, string>; script?: string }) {
    const artifacts = this.input.artifacts;
    if (artifacts?.in.length && !this.artifactsInPod) {
      await pullArtifacts(await this.dockyard(), artifacts, this.workspace, this.runIds, this.log);
    }
    const hasRefs = [...Object.values(launch.env), ...Object.values(launch.data)].some(
      (v) => findOutputRefs(v).length > 0,
    );
    if (!hasRefs) return launch;
    const resolved = await resolveOutputRefs(
      await this.dockyard(),
      launch.env,
      launch.data,
      `${this.workspace}/.co/refs`,
      this.artifactsInPod ? POD_REFS_DIR : undefined,
    );
    this.podRefs = resolved.deferred;
    const script =
      launch.script !== undefined && resolved.preamble.length
        ? `${resolved.preamble.join('\n')}\n${launch.script}`
        : launch.script;
    return { env: resolved.env, data: resolved.data, script };
  }

  /** After success: large outputs become references, output artifacts are packed and stored. */
  async finish(outputs: Record<string, string>): Promise<Record<string, string>> {
    const needsStore = Buffer.byteLength(JSON.stringify(outputs)) > INLINE_OUTPUT_BYTES;
    const result = needsStore
      ? await offloadLargeOutputs(await this.dockyard(), outputs, this.facts)
      : outputs;
    if (this.input.artifacts?.out.length && !this.artifactsInPod) {
      await pushArtifacts(await this.dockyard(), this.input.artifacts, this.workspace, this.facts, this.log);
    }
    return result;
  }
}

/** Refused artifacts and oversized outputs are the step's fault (final); anything else is infrastructure. */
export function isFinal(err: unknown): boolean {
  return err instanceof ArtifactRefused || err instanceof OutputTooLarge;
}

export function dockyardFailure(err: unknown): ['invalid' | 'infrastructure', string] {
  const message = err instanceof Error ? err.message : String(err);
  return [isFinal(err) ? 'invalid' : 'infrastructure', `dockyard: ${message}`];
}
