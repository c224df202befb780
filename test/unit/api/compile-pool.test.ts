import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { CompilePool, MAX_WAITING } from '../../../api/pipelines/compile-pool';
import { HttpError } from '../../../lib/errors';

const HEADER = 'apiVersion: containerops/v1\nkind: Pipeline\nname: big\nsteps:\n';
/** A valid chain of `n` steps (about 50 bytes a step). */
const chain = (n: number) =>
  HEADER +
  Array.from(
    { length: n },
    (_, i) => `  - id: s${i}\n    run: echo ${i}\n${i ? `    needs: [s${i - 1}]\n` : ''}`,
  ).join('');

/** Compiler processes this test process started (their command line names compile-worker.js). */
function compilerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('compile-worker.js'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected the compilation to be refused');
}

describe('compile pool (compiler child processes)', () => {
  it('compiles documents side by side in separate processes', async () => {
    const pool = new CompilePool({ compilers: 2, timeoutMs: 60_000, heapMb: 256 });
    const results = await Promise.all([pool.run([chain(300)]), pool.run([chain(301)])]);
    expect(results.map((r) => r.ok && r.plan.nodes.length)).toEqual([300, 301]);
    expect(compilerPids().length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('answers 422 when the document needs more memory than a compiler has, and compiles the next one', async () => {
    const pool = new CompilePool({ compilers: 1, timeoutMs: 60_000, heapMb: 24 });
    // 80,000 entries in one map: within every document limit, beyond 24 MB of heap
    const wide = `${chain(1)}    env: {${Array.from({ length: 80_000 }, (_, i) => `k${i}: v`).join(', ')}}\n`;
    const err = await rejection(pool.run([wide]));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/needs more than 24 MB|the compiler stopped/);
    const next = await pool.run([chain(3)]);
    expect(next.ok).toBe(true);
  }, 60_000);

  it('answers 422 naming the limit when a document takes too long, and compiles the next one', async () => {
    const slow = new CompilePool({ compilers: 1, timeoutMs: 1, heapMb: 256 });
    const err = await rejection(slow.run([chain(2_000)]));
    expect(err.status).toBe(422);
    expect(err.errors).toEqual([
      expect.objectContaining({ line: 1, message: 'it takes longer than 0.001 s' }),
    ]);
  }, 60_000);

  it('survives its compiler being killed mid-way: that document is a 422, the API process lives on', async () => {
    const before = new Set(compilerPids());
    const pool = new CompilePool({ compilers: 1, timeoutMs: 60_000, heapMb: 256 });
    await pool.run([chain(2)]); // the compiler is up
    const [pid] = compilerPids().filter((p) => !before.has(p));
    const pending = rejection(pool.run([chain(2_000)]));
    process.kill(pid!, 'SIGKILL');
    const err = await pending;
    expect(err.status).toBe(422);
    expect(err.message).toMatch(/the compiler stopped \(SIGKILL\)/);
    expect((await pool.run([chain(2)])).ok).toBe(true);
  }, 60_000);

  it(`answers 429 past ${MAX_WAITING} documents waiting for a compiler, and compiles the ones it took`, async () => {
    const pool = new CompilePool({ compilers: 1, timeoutMs: 60_000, heapMb: 256 });
    const taken = Array.from({ length: MAX_WAITING + 1 }, (_, i) => pool.run([chain(i + 1)]));
    const refused = await rejection(pool.run([chain(1)]));
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/the compilers are busy/);
    const results = await Promise.all(taken);
    expect(results.every((r) => r.ok)).toBe(true);
  }, 120_000);

  it("starts compilers without the API's environment (no database URL, no keys)", async () => {
    process.env.CO_SECRETS_KEY_CANARY = 'canary-value';
    const before = new Set(compilerPids());
    const pool = new CompilePool({ compilers: 1, timeoutMs: 60_000, heapMb: 256 });
    await pool.run([chain(2)]);
    const [pid] = compilerPids().filter((p) => !before.has(p));
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
    expect(environ).not.toContain('canary-value');
    expect(environ).not.toContain('DATABASE_URL=');
    delete process.env.CO_SECRETS_KEY_CANARY;
  }, 60_000);
});
