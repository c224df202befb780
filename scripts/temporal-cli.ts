import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The version `go install` accepts: later tags carry a `replace` directive. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function goBinDir(): string | undefined {
  if (!onPath('go') && !isExecutable('/usr/local/go/bin/go')) return undefined;
  const go = onPath('go') ?? '/usr/local/go/bin/go';
  try {
    const gobin = execFileSync(go, ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
    if (gobin) return gobin;
    const gopath = execFileSync(go, ['env', 'GOPATH'], { encoding: 'utf8' }).trim().split(path.delimiter)[0];
    return gopath ? path.join(gopath, 'bin') : undefined;
  } catch {
    return undefined;
  }
}

/** TEMPORAL_CLI_PATH, then PATH, then Go's bin directory; undefined when none has it. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    if (!isExecutable(env.TEMPORAL_CLI_PATH)) {
      throw new Error(`TEMPORAL_CLI_PATH: ${env.TEMPORAL_CLI_PATH} is not an executable file`);
    }
    return env.TEMPORAL_CLI_PATH;
  }
  const found = onPath('temporal');
  if (found) return found;
  const bin = goBinDir();
  if (bin && isExecutable(path.join(bin, 'temporal'))) return path.join(bin, 'temporal');
  return undefined;
}

/** Finds the CLI or builds it with `go install`; undefined when neither works (callers fall back to the SDK's download). */
export function ensureTemporalCli(log: (msg: string) => void = console.error): string | undefined {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  log(
    `temporal CLI not found; building it with go install ${TEMPORAL_CLI_MODULE} (takes a few minutes once)`,
  );
  const result = spawnSync(go, ['install', TEMPORAL_CLI_MODULE], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    log('go install of the temporal CLI failed');
    return undefined;
  }
  return findTemporalCli();
}

if (require.main === module) {
  const cli = ensureTemporalCli();
  if (!cli) {
    console.error('temporal CLI unavailable: install Go or set TEMPORAL_CLI_PATH');
    process.exit(1);
  }
  console.log(cli);
}
