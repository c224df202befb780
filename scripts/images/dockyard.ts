import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PLATFORM_PROJECT } from '../../api/dockyard/registry/platform';
import { podmanArgs, runLogged } from './debian';

/** Where platform images go: dockyard at the API's address, `containerops/<repo>:<tag>`. */
export interface Dockyard {
  /** the API's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** a podman authfile holding an API token allowed to push to the platform project */
  authfile: string;
}

export const registryHost = (url: string) => new URL(url).host;

export const platformRef = (dockyard: Dockyard, repo: string, tag: string) =>
  `${registryHost(dockyard.url)}/${PLATFORM_PROJECT}/${repo}:${tag}`;

/**
 * A podman authfile for dockyard (0600): the token as the password of any user name. podman
 * reads it with --authfile, so the token is never on a command line.
 */
export function writeAuthfile(file: string, url: string, token: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const auth = Buffer.from(`containerops:${token}`).toString('base64');
  const body = JSON.stringify({ auths: { [registryHost(url)]: { auth } } }, null, 2);
  fs.writeFileSync(file, `${body}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

const tlsFlag = (url: string) => (new URL(url).protocol === 'http:' ? ['--tls-verify=false'] : []);

/** Tags the local image with its dockyard name and pushes it; returns the pushed manifest digest. */
export async function pushImage(
  dockyard: Dockyard,
  local: string,
  remote: string,
  log: (line: string) => void,
): Promise<string> {
  await runLogged('podman', podmanArgs('tag', local, remote), log);
  const digestFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-push-')), 'digest');
  try {
    log(`pushing ${remote}`);
    const args = [
      'push',
      '--authfile',
      dockyard.authfile,
      ...tlsFlag(dockyard.url),
      '--digestfile',
      digestFile,
    ];
    await runLogged('podman', podmanArgs(...args, remote), log);
    return fs.readFileSync(digestFile, 'utf8').trim();
  } finally {
    fs.rmSync(path.dirname(digestFile), { recursive: true, force: true });
  }
}

/** `host/containerops/repo@sha256:…` of a pushed tag: what the catalog pins. */
export function pinnedRef(remote: string, digest: string): string {
  return `${remote.slice(0, remote.lastIndexOf(':'))}@${digest}`;
}
