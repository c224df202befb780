import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { RegistryError } from './errors';
import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../../http/json-depth';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

export interface ManifestFacts {
  mediaType: string;
  artifactType?: string;
  subject?: string;
  annotations?: Record<string, string>;
}

/** Reads a manifest body (small by definition: at most 4 MiB) into memory. */
export async function readManifest(req: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES) {
      throw new RegistryError(413, 'SIZE_INVALID', `manifests are limited to ${MAX_MANIFEST_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function digestOf(body: Buffer, algorithm: 'sha256' | 'sha512'): string {
  return `${algorithm}:${crypto.createHash(algorithm).update(body).digest('hex')}`;
}

/** What the registry keeps about a manifest: media type, artifact type (for referrers), subject, annotations. */
export function manifestFacts(body: Buffer, contentType: string | undefined): ManifestFacts {
  let doc: Record<string, unknown>;
  if (jsonTooDeepAt(body) !== undefined) {
    throw new RegistryError(
      400,
      'MANIFEST_INVALID',
      `manifest is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest must be a JSON object');
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const mediaType = (contentType?.split(';')[0]?.trim() || declared) ?? '';
  if (!mediaType) throw new RegistryError(400, 'MANIFEST_INVALID', 'manifest media type unknown');
  if (declared && declared !== mediaType) {
    throw new RegistryError(
      400,
      'MANIFEST_INVALID',
      `mediaType ${declared} does not match Content-Type ${mediaType}`,
    );
  }
  const config = doc.config as { mediaType?: unknown } | undefined;
  const subject = doc.subject as { digest?: unknown } | undefined;
  const artifactType =
    typeof doc.artifactType === 'string'
      ? doc.artifactType
      : mediaType === IMAGE_MANIFEST && typeof config?.mediaType === 'string'
        ? config.mediaType
        : undefined;
  const annotations =
    doc.annotations && typeof doc.annotations === 'object'
      ? (doc.annotations as Record<string, string>)
      : undefined;
  return {
    mediaType,
    artifactType,
    subject: typeof subject?.digest === 'string' ? subject.digest : undefined,
    annotations,
  };
}
