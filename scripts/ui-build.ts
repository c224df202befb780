import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const UI = path.join(ROOT, 'ui');
const DIST = path.join(UI, 'dist');
const BUILT = path.join(DIST, 'index.html');
const INPUTS = [
  path.join(UI, 'src'),
  path.join(UI, 'index.html'),
  path.join(UI, 'vite.config.mts'),
  path.join(ROOT, 'package-lock.json'),
];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...fs.readdirSync(p).map((name) => newestMtime(path.join(p, name))));
}

/** True when ui/dist is missing or older than any of the UI's sources. */
export function uiIsStale(): boolean {
  if (!fs.existsSync(BUILT)) return true;
  const built = fs.statSync(BUILT).mtimeMs;
  return INPUTS.some((p) => newestMtime(p) > built);
}

/**
 * Builds the UI with Vite (a child process: Vite is ESM-only) into a fresh folder that then
 * replaces ui/dist, so a server never serves a half-written build.
 */
export async function buildUi(): Promise<void> {
  const vite = path.join(
    path.dirname(require.resolve('vite/package.json', { paths: [ROOT] })),
    'bin',
    'vite.js',
  );
  const out = path.join(UI, `.dist-${process.pid}`);
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', out], {
    cwd: UI,
    stdio: 'inherit',
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (code !== 0) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error(`the UI build failed (exit ${code ?? signal})`);
  }
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.renameSync(out, DIST);
}

/** Builds the UI only when it is missing or stale; returns whether it built. */
export async function ensureUiBuilt(): Promise<boolean> {
  if (!uiIsStale()) return false;
  await buildUi();
  return true;
}

if (require.main === module) {
  buildUi().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
