import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { podmanArgs } from '../../scripts/images/debian';
import { writeAuthfile, type Dockyard } from '../../scripts/images/dockyard';
import { ensurePlatformImages } from '../../scripts/images/platform';
import { ADMIN_TOKEN, type Stack } from './stack';

/** The platform images pushed into a test stack's dockyard; returns the stack's dockyard. */
export async function pushPlatformImages(stack: Stack, node = false): Promise<Dockyard> {
  const authfile = writeAuthfile(
    path.join(stack.config.dataDir, 'dockyard-auth.json'),
    stack.url,
    ADMIN_TOKEN,
  );
  const dockyard = { url: stack.url, authfile };
  const log = (line: string) => process.env.CO_TEST_VERBOSE && console.log(new Date().toISOString(), line);
  await ensurePlatformImages({ dockyard, db: stack.db, dataDir: stack.config.dataDir, log, node });
  return dockyard;
}

/** Removes the names a test stack's port gave the platform images (the images stay, cached). */
export function untagStackImages(stack: Stack): void {
  const host = new URL(stack.url).host;
  // by tag, or by digest for what a step pulled by its pinned digest
  const format = '{{.Repository}}:{{.Tag}} {{.Repository}}@{{.Digest}}';
  const names = execFileSync('podman', podmanArgs('images', '--format', format), { encoding: 'utf8' })
    .split('\n')
    .map((line) => {
      const [byTag = '', byDigest = ''] = line.split(' ');
      return byTag.endsWith(':<none>') ? byDigest : byTag;
    })
    .filter((n) => n.startsWith(`${host}/`));
  if (names.length) execFileSync('podman', podmanArgs('rmi', '--ignore', ...names), { stdio: 'ignore' });
}

/** A PATH with every program of this one but `git`: the worker's host has no git. */
export function pathWithoutGit(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-nogit-'));
  for (const from of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(from);
    } catch {
      continue;
    }
    for (const name of entries) {
      if (name === 'git' || name.startsWith('git-') || fs.existsSync(path.join(dir, name))) continue;
      fs.symlinkSync(path.join(from, name), path.join(dir, name));
    }
  }
  return dir;
}
