/**
 * A realistic dependency set for the cache bench, offline: packages without dependencies of their own
 * (so nothing is looked up in a registry) copied from this repository's node_modules into tarballs,
 * as `npm pack` would make them (a `package/` folder), for an app to depend on as `file:` tarballs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { create } from 'tar';

interface Manifest {
  name?: string;
  version?: string;
  private?: boolean;
  dependencies?: object;
  optionalDependencies?: object;
  peerDependencies?: object;
  scripts?: Record<string, string>;
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

function packageDirs(modules: string): string[] {
  return fs.readdirSync(modules).flatMap((name) => {
    if (name.startsWith('.')) return [];
    if (!name.startsWith('@')) return [path.join(modules, name)];
    return fs.readdirSync(path.join(modules, name)).map((n) => path.join(modules, name, n));
  });
}

function dirBytes(dir: string, limit: number): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (total > limit) break;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += e.name === 'node_modules' ? 0 : dirBytes(p, limit);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** A leaf package npm installs without a registry nor a script: no dependencies, no install scripts. */
function leaf(dir: string): Manifest | undefined {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
  const deps = [manifest.dependencies, manifest.optionalDependencies, manifest.peerDependencies];
  if (!manifest.name || !manifest.version || manifest.private) return undefined;
  if (deps.some((d) => d && Object.keys(d).length > 0)) return undefined;
  if (INSTALL_SCRIPTS.some((s) => manifest.scripts?.[s])) return undefined;
  return manifest;
}

/**
 * Writes up to `count` tarballs (each package at most `maxBytes`) into `vendor` and returns the
 * app's `dependencies`: name -> `file:vendor/<tarball>`.
 */
export function vendorPackages(
  modules: string,
  vendor: string,
  count: number,
  maxBytes: number,
): Record<string, string> {
  fs.mkdirSync(vendor, { recursive: true });
  const deps: Record<string, string> = {};
  for (const dir of packageDirs(modules).sort()) {
    if (Object.keys(deps).length >= count) break;
    const manifest = fs.existsSync(path.join(dir, 'package.json')) ? leaf(dir) : undefined;
    if (!manifest || dirBytes(dir, maxBytes) > maxBytes) continue;
    const file = `${manifest.name!.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`;
    const entries = fs.readdirSync(dir).filter((e) => e !== 'node_modules');
    create(
      { gzip: true, cwd: dir, prefix: 'package', portable: true, sync: true, file: path.join(vendor, file) },
      entries,
    );
    deps[manifest.name!] = `file:vendor/${file}`;
  }
  return deps;
}
