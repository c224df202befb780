/**
 * A one-layer OCI image archive written here, without a registry or a builder: what the node's
 * pause (sandbox) image is made of. `ctr images import` reads it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

interface Blob {
  mediaType: string;
  digest: string;
  size: number;
}

function writeBlob(dir: string, mediaType: string, data: Buffer): Blob {
  const hex = sha256(data);
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

/** A tarball of `files` (name in the image → file on this machine), owned by root, time 0. */
async function layerOf(files: Record<string, string>): Promise<Buffer> {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'co-layer-'));
  try {
    for (const [name, from] of Object.entries(files)) {
      fs.copyFileSync(from, path.join(staging, name));
      fs.chmodSync(path.join(staging, name), 0o755);
    }
    const chunks: Buffer[] = [];
    const stream = tar.c({ cwd: staging, portable: true, mtime: new Date(0) }, Object.keys(files));
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes `out`: an OCI image layout tarball of one image named `name`, running `entrypoint`. */
export async function writeOciArchive(
  out: string,
  name: string,
  files: Record<string, string>,
  entrypoint: string[],
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-oci-'));
  try {
    const layerData = await layerOf(files);
    const layer = writeBlob(dir, 'application/vnd.oci.image.layer.v1.tar', layerData);
    const config = writeBlob(
      dir,
      'application/vnd.oci.image.config.v1+json',
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Entrypoint: entrypoint },
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
        }),
      ),
    );
    const manifest = writeBlob(
      dir,
      'application/vnd.oci.image.manifest.v1+json',
      Buffer.from(JSON.stringify({ schemaVersion: 2, config, layers: [layer] })),
    );
    const annotations = {
      'io.containerd.image.name': name,
      'org.opencontainers.image.ref.name': name.slice(name.lastIndexOf(':') + 1),
    };
    const index = { schemaVersion: 2, manifests: [{ ...manifest, annotations }] };
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await tar.c({ cwd: dir, file: out, portable: true }, ['oci-layout', 'index.json', 'blobs']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
