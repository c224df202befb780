import { spawnSync } from 'node:child_process';
import path from 'node:path';

// `prisma generate` checks that a schema engine exists at start-up but never runs it; the
// engine is a download we cannot make offline, so point it at any existing file.
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const cli = path.resolve(__dirname, '../node_modules/prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], {
  stdio: 'inherit',
  env,
  cwd: path.resolve(__dirname, '..'),
});
process.exit(result.status ?? 1);
