import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { create } from 'tar';
import type { Config } from '../../../lib/config';
import type { Db } from '../../../lib/db';
import type { RunStepInput } from '../../../contract';
import { artifactPathProblem } from '../../../pipeline/artifact-paths';
import { DockyardClient } from '../client';
import { ArtifactRefused, checkLinks, unpackArtifact } from '../pack';
import { isInside } from '../workspace-paths';
import { CacheClient } from './cache-client';
import { resolveHashes } from './hash-files';

const PREFIX = '[containerops] cache';

/**
 * `cache:` of a step on a runtime that shares the worker's workspace (local, container):
 * restored before the step, saved after it succeeds when its key missed. A cache is an
 * optimisation: its failures are logged, never the step's.
 */
export class StepCache {
  private key?: string;
  private exact = false;

  constructor(
    private readonly deps: { config: Config; db: Db },
    private readonly input: RunStepInput & { cache: NonNullable<RunStepInput['cache']> },
    private readonly workspace: string,
    private readonly log: (line: string) => void,
  ) {}

  private async client(): Promise<CacheClient> {
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
  }

  async restore(): Promise<void> {
    try {
      const { cache } = this.input;
      const memo = new Map<string, Promise<string>>();
      const resolve = (t: string) => resolveHashes(t, cache.hashFiles, this.workspace, memo);
      this.key = await resolve(cache.key);
      const restoreKeys = await Promise.all(cache.restoreKeys.map(resolve));
      const found = await (await this.client()).restore(this.key, restoreKeys);
      if (!found) {
        this.log(`${PREFIX}: no cache for key ${this.key}`);
        return;
      }
      await unpackArtifact(this.workspace, found.body);
      this.exact = found.exact;
      this.log(`${PREFIX}: restored ${found.exact ? 'key' : 'from restore key'} ${found.key}`);
    } catch (err) {
      this.log(`${PREFIX}: not restored: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async save(): Promise<void> {
    if (this.key === undefined || this.exact) return;
    try {
      const body = await this.pack();
      if (!body) {
        this.log(`${PREFIX}: not saved: none of ${this.input.cache.paths.join(', ')} exists`);
        return;
      }
      const saved = await (await this.client()).save(this.key, body);
      if (saved.refused) this.log(`${PREFIX}: not saved: ${saved.refused}`);
      else if (saved.saved) this.log(`${PREFIX}: saved key ${this.key} (${saved.size} bytes)`);
      else this.log(`${PREFIX}: key ${this.key} was saved meanwhile by another run`);
    } catch (err) {
      this.log(`${PREFIX}: not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The existing paths as one tar.gz; undefined when none exists. */
  private async pack(): Promise<Readable | undefined> {
    const root = await fs.promises.realpath(this.workspace);
    const entries: string[] = [];
    for (const rel of this.input.cache.paths) {
      const problem = artifactPathProblem(rel);
      if (problem) throw new ArtifactRefused(`cache path ${rel} ${problem}`);
      const real = await fs.promises.realpath(path.join(root, rel)).catch(() => undefined);
      if (!real) continue;
      if (!isInside(root, real)) throw new ArtifactRefused(`cache path ${rel} resolves out of the workspace`);
      await checkLinks(root, path.join(root, rel));
      entries.push(path.relative(root, path.join(root, rel)) || '.');
    }
    if (entries.length === 0) return undefined;
    // no mtimes: identical caches pack to identical bytes, so they share one blob
    const pack = create({ gzip: true, cwd: root, portable: true, follow: false, noMtime: true }, entries);
    const body = Readable.from(pack as AsyncIterable<Buffer>);
    // a file removed while it is packed fails the upload, never the worker (an unheard 'error' would)
    pack.on('error', (err: unknown) => body.destroy(err as Error));
    return body;
  }
}
