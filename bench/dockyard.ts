import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { BENCH_TOKEN, startBenchStack } from './stack';

const run = promisify(execFile);
const emit = (figure: Record<string, unknown>) => console.log(JSON.stringify(figure));
const MiB = 1024 * 1024;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * `npm run bench -- dockyard`: a 1 GiB blob pushed to and pulled from the registry by curl (a
 * separate process), each as a ratio of `cp` of the same file in the same run, and the growth of
 * this process's RSS (the API runs here) while it streams. BENCH_DOCKYARD_MB changes the size.
 */
export async function main(): Promise<void> {
  const size = Number(process.env.BENCH_DOCKYARD_MB ?? 1024) * MiB;
  const stack = await startBenchStack({ worker: false });
  const work = fs.mkdtempSync(path.join(stack.config.dataDir, 'bench-'));
  try {
    const project = `bench-${crypto.randomBytes(3).toString('hex')}`;
    await stack.request('POST', '/api/v1/projects', { name: project });
    const file = path.join(work, 'blob.bin');
    const hash = crypto.createHash('sha256');
    await pipeline(
      (async function* () {
        const chunk = crypto.randomBytes(8 * MiB);
        for (let written = 0; written < size; written += chunk.length) {
          // vary each chunk so no layer of the stack can deduplicate
          chunk.writeUInt32LE(written / chunk.length, 0);
          hash.update(chunk);
          yield chunk;
        }
      })(),
      fs.createWriteStream(file),
    );
    const digest = `sha256:${hash.digest('hex')}`;

    const cpMs = await timed(() => run('cp', [file, path.join(work, 'copy.bin')]));
    fs.rmSync(path.join(work, 'copy.bin'));

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const auth = ['-u', `bench:${BENCH_TOKEN}`];
    const blobUrl = `${stack.api.url}/v2/${project}/bench/blobs`;
    // -T - (stdin): curl streams the file and, unlike -T <file>, appends no file name to the URL
    const pushMs = await timed(() =>
      run(
        'sh',
        [
          '-c',
          'curl -sSf -X POST -T - -u "$AUTH" -H "Content-Type: application/octet-stream" "$URL" < "$FILE"',
        ],
        {
          env: {
            ...process.env,
            AUTH: `bench:${BENCH_TOKEN}`,
            URL: `${blobUrl}/uploads/?digest=${digest}`,
            FILE: file,
          },
        },
      ),
    );
    const pulled = path.join(work, 'pulled.bin');
    const pullMs = await timed(() => run('curl', ['-sSf', '-o', pulled, ...auth, `${blobUrl}/${digest}`]));
    clearInterval(sampler);
    if (fs.statSync(pulled).size !== size) throw new Error('pulled blob has the wrong size');

    const rate = (ms: number) => Math.round((size / MiB / (ms / 1000)) * 10) / 10;
    emit({ bench: 'dockyard.cp', bytes: size, ms: Math.round(cpMs), mibPerS: rate(cpMs) });
    emit({
      bench: 'dockyard.push',
      bytes: size,
      ms: Math.round(pushMs),
      mibPerS: rate(pushMs),
      ofCp: Math.round((cpMs / pushMs) * 100) / 100,
    });
    emit({
      bench: 'dockyard.pull',
      bytes: size,
      ms: Math.round(pullMs),
      mibPerS: rate(pullMs),
      ofCp: Math.round((cpMs / pullMs) * 100) / 100,
    });
    emit({
      bench: 'dockyard.rss',
      baselineMiB: Math.round(baseline / MiB),
      peakMiB: Math.round(peak / MiB),
      growthMiB: Math.round((peak - baseline) / MiB),
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await stack.stop();
  }
}
