import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { runComponent } from '../../test/support/components';

const sha256 = (data: Buffer | string) => `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;

/** A one-layer image in an OCI image layout, tagged `tag`; returns its manifest digest. */
function ociLayout(dir: string, tag: string): string {
  const blobs = path.join(dir, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer | string) => {
    const digest = sha256(data);
    fs.writeFileSync(path.join(blobs, digest.slice(7)), data);
    return { digest, size: Buffer.byteLength(data) };
  };
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'co-layer-'));
  fs.writeFileSync(path.join(src, 'hello.txt'), 'hello from a layer\n');
  const tar = execFileSync('tar', ['-C', src, '-cf', '-', 'hello.txt']);
  const layer = put(zlib.gzipSync(tar));
  const config = put(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const manifest = put(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return manifest.digest;
}

describe('image-copy on the local runtime (skopeo, offline between OCI layouts)', () => {
  it('copies an image to another layout under a new tag and reports its digest', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-oci-'));
    const digest = ociLayout(path.join(root, 'src'), 'v1');
    const dest = path.join(root, 'nested', 'dest');
    const { outcome, lines } = await runComponent('image-copy', {
      source: `oci:${path.join(root, 'src')}:v1`,
      destination: `oci:${dest}:release`,
    });
    expect(lines.join('\n')).toContain(`copying oci:${path.join(root, 'src')}:v1`);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs.digest).toBe(digest);
    const index = JSON.parse(fs.readFileSync(path.join(dest, 'index.json'), 'utf8'));
    expect(index.manifests).toEqual([
      expect.objectContaining({ digest, annotations: { 'org.opencontainers.image.ref.name': 'release' } }),
    ]);
  });

  it('fails when the source does not exist', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'co-oci-'));
    const { outcome } = await runComponent('image-copy', {
      source: `oci:${path.join(root, 'nothing')}:v1`,
      destination: `oci:${path.join(root, 'dest')}:v1`,
    });
    expect(outcome.failure?.kind).toBe('exit');
  });
});
