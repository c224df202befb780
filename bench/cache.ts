/**
 * Caches and memoized steps on examples/node-app.yaml (its install step has `cache:`), building a
 * generated app that depends on BENCH_CACHE_PACKAGES (150) real packages, copied from this
 * repository's node_modules into tarballs it vendors (offline: bench/vendored-packages.ts):
 * - cache-install: the install step cold (no cache) and warm (cache restored), median of runs;
 * - memoize-rerun: the same pipeline with `memoize: true`, a run's wall time (trigger to finished)
 *   the first time and when every step is memoized.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startBenchStack, type BenchStack } from './stack';
import { vendorPackages } from './vendored-packages';

const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const EXAMPLE = path.resolve(__dirname, '../examples/node-app.yaml');

/** A git repository of a small app depending on `count` real packages vendored as tarballs (offline). */
function benchApp(root: string, count: number): { url: string; packages: number } {
  const app = path.join(root, 'app');
  for (const dir of ['src', 'test']) fs.mkdirSync(path.join(app, dir), { recursive: true });
  const modules = path.resolve(__dirname, '../node_modules');
  const dependencies = vendorPackages(modules, path.join(app, 'vendor'), count, 1024 ** 2);
  const scripts = {
    lint: 'node --check src/app.js',
    test: 'node --test',
    build: 'mkdir -p dist && cp src/app.js dist/app.js',
  };
  const manifest = { name: 'bench-app', version: '1.0.0', private: true, scripts };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ ...manifest, dependencies }, null, 2));
  fs.writeFileSync(path.join(app, 'src', 'app.js'), 'exports.greet = (n) => "hello, " + n;\n');
  fs.writeFileSync(
    path.join(app, 'test', 'app.test.js'),
    "require('node:test')('greets', () => require('node:assert').strictEqual(require('../src/app.js').greet('x'), 'hello, x'));\n",
  );
  // a lock file, as real apps have: a restored tree that matches it is kept as it is
  execFileSync('npm', ['install', '--package-lock-only', '--offline', '--no-audit', '--no-fund'], {
    cwd: app,
    stdio: 'ignore',
  });
  const git = (...args: string[]) => execFileSync('git', ['-C', app, ...args], { stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '-qm', 'app');
  return { url: `file://${app}`, packages: Object.keys(dependencies).length };
}

interface StepTimes {
  stepId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Triggers a run and waits for it; its wall time (trigger to finished, as a client sees it) and steps. */
async function timedRun(stack: BenchStack, project: string, pipeline: string, repository: string) {
  const t0 = performance.now();
  const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines/${pipeline}/runs`, {
    params: { repository },
  });
  if (res.status !== 201) throw new Error(`trigger: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const run = await stack.db.run.findUniqueOrThrow({ where: { id } });
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(run.status)) {
      const wallMs = performance.now() - t0;
      if (run.status !== 'succeeded') {
        const lines = await stack.db.logLine.findMany({ where: { runId: id }, orderBy: { id: 'asc' } });
        for (const l of lines.slice(-40)) console.error(`${l.stepId} ${l.stream}: ${l.line}`);
        throw new Error(`bench run ${id} ${run.status}: ${run.error}`);
      }
      const steps: StepTimes[] = await stack.db.stepRun.findMany({ where: { runId: id } });
      return { wallMs, steps };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stepMs = (steps: StepTimes[], id: string) => {
  const s = steps.find((x) => x.stepId === id)!;
  return s.finishedAt!.getTime() - s.startedAt!.getTime();
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_CACHE_ROUNDS ?? 3);
  const stack = await startBenchStack();
  try {
    const app = benchApp(
      fs.mkdtempSync(path.join(stack.config.dataDir, 'bench-app-')),
      Number(process.env.BENCH_CACHE_PACKAGES ?? 150),
    );
    const repository = app.url;
    const source = fs.readFileSync(EXAMPLE, 'utf8');
    if (!/^\s+cache:/m.test(source))
      throw new Error('examples/node-app.yaml has no cache: on its install step');
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // a project of its own per round: its first run finds no cache
      const project = `bench-${crypto.randomBytes(3).toString('hex')}`;
      await stack.request('POST', '/api/v1/projects', { name: project });
      await stack.request('POST', `/api/v1/projects/${project}/pipelines`, source);
      cold.push(stepMs((await timedRun(stack, project, 'node-app', repository)).steps, 'install'));
      warm.push(stepMs((await timedRun(stack, project, 'node-app', repository)).steps, 'install'));
    }
    const c = median(cold);
    const w = median(warm);
    emit({
      bench: 'cache-install',
      packages: app.packages,
      coldMs: c,
      warmMs: w,
      speedup: +(c / w).toFixed(1),
      rounds,
    });

    const project = `bench-${crypto.randomBytes(3).toString('hex')}`;
    await stack.request('POST', '/api/v1/projects', { name: project });
    const memoized = source.replace(/^maxParallel: (\d+)$/m, 'maxParallel: $1\nmemoize: true');
    await stack.request('POST', `/api/v1/projects/${project}/pipelines`, memoized);
    const first = await timedRun(stack, project, 'node-app', repository);
    const reruns: number[] = [];
    let last = first;
    for (let i = 0; i < rounds; i++) {
      last = await timedRun(stack, project, 'node-app', repository);
      reruns.push(last.wallMs);
    }
    const r = median(reruns);
    emit({
      bench: 'memoize-rerun',
      firstMs: Math.round(first.wallMs),
      memoizedMs: Math.round(r),
      speedup: +(first.wallMs / r).toFixed(1),
      goal: 10,
      // where the last memoized rerun's time goes: each reused step, started to finished
      rerunStepsMs: Object.fromEntries(
        last.steps
          .filter((s) => s.startedAt && s.finishedAt)
          .map((s) => [s.stepId, stepMs(last.steps, s.stepId)]),
      ),
    });
  } finally {
    await stack.stop();
  }
}
