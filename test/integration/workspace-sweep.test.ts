import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../../lib/db';
import { sweepWorkspaces, WORKSPACE_RETENTION_MS } from '../../workers/workspace-sweep';
import { testConfig } from '../support/stack';

it('removes the workspaces of runs finished past the retention, keeps running, recent and rerun-shared ones', async () => {
  const config = testConfig();
  const db = createDb(config.DATABASE_URL!);
  try {
    const projectId = crypto.randomUUID();
    const pipelineId = crypto.randomUUID();
    const versionId = crypto.randomUUID();
    await db.project.create({ data: { id: projectId, name: `ws-${projectId.slice(0, 8)}` } });
    await db.pipeline.create({ data: { id: pipelineId, projectId, name: 'p' } });
    await db.pipelineVersion.create({
      data: { id: versionId, pipelineId, version: 1, source: '', format: 'native', plan: {} },
    });
    const now = Date.now();
    const run = async (number: number, status: string, finishedAt: Date | null, workspaceId?: string) => {
      const id = crypto.randomUUID();
      await db.run.create({
        data: {
          id,
          projectId,
          pipelineId,
          pipelineVersionId: versionId,
          number,
          status,
          params: {},
          trigger: 'api',
          workflowId: `run-${id}`,
          finishedAt,
          workspaceId,
        },
      });
      fs.mkdirSync(path.join(config.dataDir, 'workspaces', workspaceId ?? id, 'src'), { recursive: true });
      return id;
    };
    const old = await run(1, 'succeeded', new Date(now - WORKSPACE_RETENTION_MS - 1000));
    const recent = await run(2, 'failed', new Date(now - 1000));
    const running = await run(3, 'running', null);
    // an old run whose workspace a recent rerun still uses
    const rerunBase = await run(4, 'failed', new Date(now - WORKSPACE_RETENTION_MS - 1000));
    await run(5, 'succeeded', new Date(now - 1000), rerunBase);
    const orphan = crypto.randomUUID();
    fs.mkdirSync(path.join(config.dataDir, 'workspaces', orphan));

    const result = await sweepWorkspaces(config, db, now);

    expect(result.removed.sort()).toEqual([old, orphan].sort());
    const left = fs.readdirSync(path.join(config.dataDir, 'workspaces')).sort();
    expect(left).toEqual([recent, running, rerunBase].sort());
  } finally {
    await db.$disconnect();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
});
