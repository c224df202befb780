import type { PlanNode } from '../../pipeline/plan';
import type { DockyardClient } from './client';
import { ArtifactRefused, packArtifact, unpackArtifact } from './pack';

export type StepArtifacts = PlanNode['artifacts'];

/**
 * Before a step starts: unpacks each `artifacts.in` into its workspace. The artifact is looked
 * up in this run, then in the run whose workspace this one continues (a rerun reusing a step).
 */
export async function pullArtifacts(
  client: DockyardClient,
  artifacts: StepArtifacts,
  workspace: string,
  runIds: string[],
  log: (line: string) => void,
): Promise<void> {
  for (const { name, from } of artifacts.in) {
    let stream;
    for (const runId of runIds) {
      stream = await client.getArtifact(runId, name);
      if (stream) break;
    }
    if (!stream) throw new ArtifactRefused(`artifact ${name} from step ${from} was never stored`);
    await unpackArtifact(workspace, stream);
    log(`[containerops] artifact ${name} (from ${from}) unpacked into the workspace`);
  }
}

/** After a step succeeds: packs each `artifacts.out` path (tar + gzip, streamed) and stores it. */
export async function pushArtifacts(
  client: DockyardClient,
  artifacts: StepArtifacts,
  workspace: string,
  facts: { runId: string; step: string; matrix: string; attempt: number },
  log: (line: string) => void,
): Promise<void> {
  for (const { name, path } of artifacts.out) {
    const stream = await packArtifact(workspace, path);
    const stored = await client.putArtifact(facts.runId, name, stream, facts);
    log(`[containerops] artifact ${name} (${path}) stored: ${stored.size} bytes, ${stored.digest}`);
  }
}
