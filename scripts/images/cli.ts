import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { createDb } from '../../lib/db';
import { cacheDir, ensureDebianImage, localName, PLATFORM_IMAGES, podmanArgs, runLogged } from './debian';
import { writeAuthfile } from './dockyard';
import { ensurePlatformImages } from './platform';

/**
 * `npm run images:build [-- --fresh]`: the Debian base and Node.js images, pushed to dockyard.
 * `npm run components:build`: every built-in component's image FROM the base, pushed and pinned.
 * `tsx scripts/images/cli.ts debian`: only the Debian images on this machine (CI, before the tests).
 * Both talk to the stack `npm start` runs (its API, its admin token, its database), or to
 * CO_PUBLIC_URL / CO_TOKEN / DATABASE_URL when set.
 */
async function main(): Promise<void> {
  const what = process.argv[2];
  if (what === 'debian') {
    // CI: the Debian images on this machine only, no dockyard (the tests push them to their own)
    for (const image of Object.values(PLATFORM_IMAGES)) await ensureDebianImage(image, (l) => console.log(l));
    return;
  }
  if (what !== 'images' && what !== 'components')
    throw new Error('usage: cli.ts images|components|debian [--fresh]');
  const config = loadConfig();
  const url = config.CO_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  const tokenFile = path.join(config.dataDir, 'admin-token');
  const token =
    process.env.CO_TOKEN ??
    (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!token) throw new Error(`no token: set CO_TOKEN, or run npm start once (it writes ${tokenFile})`);
  const databaseUrl =
    config.DATABASE_URL ?? `mysql://root@127.0.0.1:${config.CO_DEV_MARIADB_PORT}/containerops`;
  const log = (line: string) => console.log(`images: ${line}`);
  if (process.argv.includes('--fresh')) {
    // from Debian again: the cached root filesystems and the images made of them go
    for (const image of Object.values(PLATFORM_IMAGES)) {
      await runLogged('podman', podmanArgs('rmi', '--force', '--ignore', localName(image)), log);
    }
    fs.rmSync(cacheDir(), { recursive: true, force: true });
  }
  const authfile = writeAuthfile(path.join(config.dataDir, 'dockyard-auth.json'), url, token);
  const db = createDb(databaseUrl);
  try {
    const started = Date.now();
    const images = await ensurePlatformImages({
      dockyard: { url, authfile },
      db,
      log,
      dataDir: config.dataDir,
      force: true,
      node: what === 'images',
    });
    for (const [name, ref] of Object.entries(images)) log(`${name}  ${ref}`);
    log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: Error) => {
  console.error(`images: ${err.message}`);
  process.exit(1);
});
