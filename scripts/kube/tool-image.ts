/**
 * The image a step pod's artifact containers run on the test node: the Debian base image, this
 * machine's `node`, and `bin/co-artifacts.js` bundled with esbuild from the same sources the
 * platform's image runs (activities/dockyard/pod-tool.ts), its WORKDIR where TOOL_COMMAND expects
 * it. The platform's full image (the Helm chart's) holds the whole application; the pods need this.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { ensureDebianImage, localImageKey, PLATFORM_IMAGES, podmanArgs } from '../images/debian';

const ROOT = path.resolve(__dirname, '../..');
const ENTRY = `const { main } = require('./activities/dockyard/pod-tool');
main(process.argv.slice(2), process.env, { out: (line) => process.stdout.write(line + '\\n') }).then(
  (code) => { process.exitCode = code; },
);
`;

/** Builds `localhost/containerops/tool:<key>` in podman's store unless it is there; returns its name. */
export async function ensureToolImage(log: (line: string) => void): Promise<string> {
  const base = await ensureDebianImage(PLATFORM_IMAGES.base, log);
  const bundle = buildSync({
    stdin: { contents: ENTRY, resolveDir: ROOT, sourcefile: 'co-artifacts.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  }).outputFiles[0]!.contents;
  const node = fs.realpathSync(execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim());
  const key = crypto
    .createHash('sha256')
    .update(bundle)
    .update(`${process.version}\0${(await localImageKey(base)) ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const name = `localhost/containerops/tool:${key}`;
  if ((await localImageKey(name)) === key) return name;
  log(`building ${name} (node ${process.version} and the bundled artifact tool on ${base})`);
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'co-tool-'));
  try {
    fs.mkdirSync(path.join(context, 'bin'));
    fs.writeFileSync(path.join(context, 'bin', 'co-artifacts.js'), bundle);
    fs.copyFileSync(node, path.join(context, 'node'));
    fs.writeFileSync(
      path.join(context, 'Containerfile'),
      [
        `FROM ${base}`,
        'COPY node /usr/local/bin/node',
        'COPY bin/co-artifacts.js /opt/containerops/bin/co-artifacts.js',
        'WORKDIR /opt/containerops',
        `LABEL containerops.key=${key}`,
        '',
      ].join('\n'),
    );
    execFileSync('podman', podmanArgs('build', '--quiet', '--tag', name, context), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return name;
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
}
