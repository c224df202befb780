import path from 'node:path';
import { missingPrograms } from '../../activities/runtimes/requires';
import type { Config } from '../../lib/config';
import type { Db } from '../../lib/db';
import { writeAuthfile } from './dockyard';
import { ensurePlatformImages } from './platform';

type Runtime = Config['CO_RUNTIME'];
const CONTAINER_PACKAGES = 'podman runc buildah mmdebstrap uidmap';

/** `npm start`'s step runtime: CO_RUNTIME when set, else containers when podman and runc are here. */
export async function chooseDevRuntime(config: Config, say: (msg: string) => void): Promise<Runtime> {
  if (process.env.CO_RUNTIME) {
    say(`runtime      ${config.CO_RUNTIME} (CO_RUNTIME)`);
    return config.CO_RUNTIME;
  }
  const missing = await missingPrograms(['podman', 'runc', 'buildah', 'mmdebstrap'], process.env.PATH ?? '');
  if (missing.length === 0) {
    say('runtime      container: podman + runc found; steps run in images built from Debian packages');
    return 'container';
  }
  say(
    `runtime      local: steps run as host processes (${missing.join(', ')} not found; ` +
      `apt-get install ${CONTAINER_PACKAGES} to run them in containers)`,
  );
  return 'local';
}

/**
 * For the container runtime: the platform images in dockyard (built on first start, with
 * progress; reused after) and the worker's settings to pull them. Undefined when they cannot be
 * made: the caller falls back to host processes.
 */
export async function prepareContainerImages(
  config: Config,
  db: Db,
  apiUrl: string,
  adminToken: string,
  say: (msg: string) => void,
): Promise<Partial<Config> | undefined> {
  const authfile = writeAuthfile(path.join(config.dataDir, 'dockyard-auth.json'), apiUrl, adminToken);
  const dockyard = { url: apiUrl, authfile };
  try {
    const log = (line: string) => say(`images: ${line}`);
    await ensurePlatformImages({ dockyard, db, dataDir: config.dataDir, log, node: true });
  } catch (err) {
    say(`images: ${(err as Error).message}`);
    say('runtime      local: the platform images could not be made; steps run as host processes');
    return undefined;
  }
  return { CO_CONTAINER_AUTHFILE: config.CO_CONTAINER_AUTHFILE ?? authfile };
}
