/**
 * Log benchmarks; each figure is one JSON line on stdout.
 * - logs.ingest: lines/s through LogSink into MariaDB (one sink, and several steps at once)
 * - logs.tail: push-to-receipt latency of SSE followers of one step (1 and 100 followers)
 * Uses a fresh database on BENCH_DATABASE_URL's server (default mysql://root@127.0.0.1:3306), dropped at the end.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { secretMasker } from '../activities/logarithm/mask';
import { LogSink } from '../activities/logarithm/sink';
import { createLogStore, type LogStore } from '../activities/logarithm/store';
import { startApiServer } from '../api/server';
import { loadConfig } from '../lib/config';
import { createDb, type Db } from '../lib/db';
import { createLogger } from '../lib/logger';
import { applyMigrations } from '../scripts/migrate';
import { createRunFixture, type RunFixture } from '../test/e2e/logs/fixtures';
import { openSse } from '../test/e2e/logs/sse-client';

const TOKEN = `co_bench_${crypto.randomBytes(16).toString('hex')}`;
const LINE = 'INFO  request handled method=GET path=/api/v1/projects/web/runs status=200 duration_ms=12';
const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function ingest(store: LogStore, sinks: number, linesPerSink: number, maxBytes: number): Promise<void> {
  const runId = crypto.randomUUID();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: sinks }, async (_, i) => {
      const sink = new LogSink(
        store,
        { runId, stepId: `step-${i}`, matrixKey: '', attempt: 1 },
        secretMasker([]),
        // counted as the worker counts it (run-step.ts)
        { maxBytes },
      );
      for (let n = 0; n < linesPerSink; n++) sink.push('stdout', `${LINE} n=${n}`);
      await sink.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const lines = sinks * linesPerSink;
  emit({
    bench: 'logs.ingest',
    sinks,
    lines,
    seconds: +seconds.toFixed(2),
    linesPerSec: Math.round(lines / seconds),
    target: 50_000,
  });
}

/** A writer pushes a line every `everyMs`; each follower notes when each line arrives. */
async function tail(
  db: Db,
  store: LogStore,
  url: string,
  run: RunFixture,
  followers: number,
  lines: number,
): Promise<void> {
  const stepId = 'test';
  await db.stepRun.create({
    data: { id: crypto.randomUUID(), runId: run.runId, stepId, status: 'running', attempt: 1 },
  });
  const pushedAt = new Map<number, number>();
  const latencies: number[] = [];
  const streams = await Promise.all(
    Array.from({ length: followers }, () =>
      openSse(`${url}${run.logsPath(stepId, 'follow=1')}`, { authorization: `Bearer ${TOKEN}` }),
    ),
  );
  const readers = streams.map(async (s) => {
    for (let ev = await s.next(); ev && ev.event !== 'end'; ev = await s.next()) {
      const { seq } = JSON.parse(ev.data) as { seq: number };
      latencies.push(performance.now() - pushedAt.get(seq)!);
    }
  });
  const sink = new LogSink(store, { runId: run.runId, stepId, matrixKey: '', attempt: 1 }, secretMasker([]));
  for (let seq = 1; seq <= lines; seq++) {
    pushedAt.set(seq, performance.now());
    sink.push('stdout', `${LINE} seq=${seq}`);
    await sleep(5);
  }
  await sink.close();
  await db.stepRun.updateMany({ where: { runId: run.runId, stepId }, data: { status: 'succeeded' } });
  await Promise.all(readers);
  latencies.sort((a, b) => a - b);
  emit({
    bench: 'logs.tail',
    followers,
    lines,
    received: latencies.length,
    p50Ms: Math.round(percentile(latencies, 50)),
    p99Ms: Math.round(percentile(latencies, 99)),
    maxMs: Math.round(latencies.at(-1) ?? NaN),
    targetP99Ms: 300,
  });
}

export async function main(): Promise<void> {
  const server = new URL(process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/containerops');
  server.pathname = `/co_bench_logs_${crypto.randomBytes(4).toString('hex')}`;
  const databaseUrl = server.toString();
  await applyMigrations(databaseUrl);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-bench-logs-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    CO_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    CO_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const db = createDb(databaseUrl);
  const store = createLogStore(databaseUrl, 8);
  // the log routes never call Temporal: a lazy connection that is never used
  const temporal = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  const logger = createLogger('silent');
  const api = await startApiServer({
    config,
    db,
    temporal,
    logger,
  });
  try {
    await ingest(store, 1, 50_000, config.CO_LOG_MAX_BYTES_PER_STEP);
    await ingest(store, 8, 10_000, config.CO_LOG_MAX_BYTES_PER_STEP);
    await tail(db, store, api.url, await createRunFixture(db), 1, 1000);
    await tail(db, store, api.url, await createRunFixture(db), 100, 1000);
  } finally {
    await api.close();
    await db.$executeRawUnsafe(`DROP DATABASE \`${server.pathname.slice(1)}\``);
    await store.close();
    await db.$disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
