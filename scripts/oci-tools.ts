import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The OCI tools dockyard is checked with, built from the Go module proxy and cached outside the
 * repository (~/.cache/containerops/tools, or CO_TOOLS_DIR). `npx tsx scripts/oci-tools.ts` builds
 * them all ahead (CI does); tests call `ociTool(name)`, which builds one when it is missing.
 */
export const OCI_TOOLS = {
  conformance: 'github.com/opencontainers/distribution-spec/conformance@v0.0.0-20260831232431-97274622c111',
  crane: 'github.com/google/go-containerregistry/cmd/crane@v0.22.1',
  oras: 'oras.land/oras/cmd/oras@v1.3.6',
} as const;
export type OciTool = keyof typeof OCI_TOOLS;

export function toolsDir(): string {
  return process.env.CO_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'containerops', 'tools');
}

function goBinary(): string | undefined {
  for (const candidate of [
    '/usr/local/go/bin/go',
    ...(process.env.PATH ?? '').split(':').map((d) => `${d}/go`),
  ]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Path of the tool's binary; built with `go install` into the cache when absent. Throws when Go is missing. */
export function ociTool(name: OciTool): string {
  const dir = toolsDir();
  const binary = path.join(dir, name);
  if (fs.existsSync(binary)) return binary;
  const go = goBinary();
  if (!go) throw new Error(`${name} is not in ${dir} and Go is not installed to build it`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync(go, ['install', OCI_TOOLS[name]], {
    env: { ...process.env, GOBIN: dir, GOFLAGS: '-buildvcs=false' },
    stdio: 'inherit',
  });
  return binary;
}

if (require.main === module) {
  for (const name of Object.keys(OCI_TOOLS) as OciTool[]) console.log(`${name}: ${ociTool(name)}`);
}
