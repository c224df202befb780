import { isDigest } from '../../../lib/blobs/digest';

/** Repository names as the OCI spec writes them; the first component is the project. */
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME = `${COMPONENT}(?:/${COMPONENT})*`;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

export type RegistryRoute =
  | { kind: 'ping' }
  | { kind: 'token' }
  | { kind: 'catalog' }
  | { kind: 'upload-start'; name: string }
  | { kind: 'upload'; name: string; uploadId: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

const PATTERN = new RegExp(
  `^/(${NAME})/(?:blobs/uploads/([^/]*)|blobs/([^/]+)|manifests/([^/]+)|(tags/list)|referrers/([^/]+))$`,
);

/** Parses a path under /v2; undefined when it names no registry route. */
export function parseRegistryPath(path: string): RegistryRoute | undefined {
  if (path === '/' || path === '') return { kind: 'ping' };
  if (path === '/token') return { kind: 'token' };
  if (path === '/_catalog') return { kind: 'catalog' };
  const m = PATTERN.exec(path);
  if (!m) return undefined;
  const name = m[1]!;
  if (name.length > 255) return undefined;
  if (m[2] !== undefined)
    return m[2] ? { kind: 'upload', name, uploadId: m[2] } : { kind: 'upload-start', name };
  if (m[3] !== undefined) return { kind: 'blob', name, digest: decodeURIComponent(m[3]) };
  if (m[4] !== undefined) return { kind: 'manifest', name, reference: decodeURIComponent(m[4]) };
  if (m[5] !== undefined) return { kind: 'tags', name };
  return { kind: 'referrers', name, digest: decodeURIComponent(m[6]!) };
}

export function projectOf(name: string): string {
  return name.split('/')[0]!;
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export { isDigest };
