import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { projectWithRoles } from '../crew/actors';

const basic = (token: string) => `Basic ${Buffer.from(`anyone:${token}`).toString('base64')}`;

function sha256(body: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
}

describe('dockyard OCI registry: access and bad input', () => {
  let stack: Stack;
  let roles: Awaited<ReturnType<typeof projectWithRoles>>;
  const reg = (p: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${stack.url}/v2${p}`, {
      ...init,
      headers: { ...(init.token ? { authorization: basic(init.token) } : {}), ...(init.headers as object) },
    });
  const pushBlob = (repo: string, token: string, body: Buffer, digest = sha256(body)) =>
    reg(`/${repo}/blobs/uploads/?digest=${digest}`, { method: 'POST', token, body });

  beforeAll(async () => {
    stack = await startStack({ worker: false, config: { CO_DOCKYARD_QUOTA_BYTES: '4096' } });
    roles = await projectWithRoles(stack);
  });
  afterAll(() => stack?.stop());

  it('challenges anonymous callers with the token flow, and a token from it works', async () => {
    const anon = await reg('/');
    expect(anon.status).toBe(401);
    const challenge = anon.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="http:\/\/[^"]+\/v2\/token",service="containerops"/);
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    expect((await fetch(realm)).status).toBe(401);
    const issued = await fetch(`${realm}?service=containerops`, {
      headers: { authorization: basic(roles.viewer.token) },
    });
    const { token } = (await issued.json()) as { token: string };
    const ping = await fetch(`${stack.url}/v2/`, { headers: { authorization: `Bearer ${token}` } });
    expect(ping.status).toBe(200);
    expect((await reg(`/${roles.project}/app/tags/list`)).status).toBe(401);
  });

  it('lets a viewer pull but not push, a developer push but not delete, a maintainer delete', async () => {
    const repo = `${roles.project}/app`;
    const body = Buffer.from('layer bytes');
    expect((await pushBlob(repo, roles.developer.token, body)).status).toBe(201);
    const pulled = await reg(`/${repo}/blobs/${sha256(body)}`, { token: roles.viewer.token });
    expect(pulled.status).toBe(200);
    expect(Buffer.from(await pulled.arrayBuffer())).toEqual(body);
    const denied = await pushBlob(repo, roles.viewer.token, Buffer.from('not mine'));
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('DENIED');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.empty.v1+json',
          digest: sha256(Buffer.from('{}')),
          size: 2,
        },
        layers: [{ mediaType: 'application/octet-stream', digest: sha256(body), size: body.length }],
      }),
    );
    const headers = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' };
    expect(
      (
        await reg(`/${repo}/manifests/v1`, {
          method: 'PUT',
          token: roles.viewer.token,
          headers,
          body: manifest,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await reg(`/${repo}/manifests/v1`, {
          method: 'PUT',
          token: roles.developer.token,
          headers,
          body: manifest,
        })
      ).status,
    ).toBe(201);
    expect(
      (await reg(`/${repo}/manifests/v1`, { method: 'DELETE', token: roles.developer.token })).status,
    ).toBe(403);
    expect(
      (await reg(`/${repo}/manifests/v1`, { method: 'DELETE', token: roles.maintainer.token })).status,
    ).toBe(202);
    expect((await reg(`/${repo}/manifests/v1`, { token: roles.viewer.token })).status).toBe(404);
  });

  it("hides another project's repositories (404)", async () => {
    const repo = `${roles.project}/hidden`;
    const body = Buffer.from('private');
    expect((await pushBlob(repo, roles.owner.token, body)).status).toBe(201);
    const res = await reg(`/${repo}/blobs/${sha256(body)}`, { token: roles.other.token });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('NAME_UNKNOWN');
    expect((await reg(`/${repo}/tags/list`, { token: roles.other.token })).status).toBe(404);
  });

  it('refuses a wrong digest on upload completion with DIGEST_INVALID and stores nothing', async () => {
    const repo = `${roles.project}/strict`;
    const body = Buffer.from('the real content');
    const claimed = sha256(Buffer.from('something else'));
    const start = await reg(`/${repo}/blobs/uploads/`, { method: 'POST', token: roles.developer.token });
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    const put = await fetch(`${stack.url}${location}?digest=${claimed}`, {
      method: 'PUT',
      headers: { authorization: basic(roles.developer.token) },
      body,
    });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe(
      'DIGEST_INVALID',
    );
    expect((await reg(`/${repo}/blobs/${claimed}`, { token: roles.developer.token })).status).toBe(404);
    expect((await reg(`/${repo}/blobs/${sha256(body)}`, { token: roles.developer.token })).status).toBe(404);
    const blobsDir = path.join(stack.config.dataDir, 'blobs');
    const stored = (dir: string): string[] =>
      fs.existsSync(dir)
        ? fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? stored(path.join(dir, e.name)) : [path.join(dir, e.name)]))
        : [];
    expect(
      stored(blobsDir).filter((f) => f.includes(sha256(body).slice(7)) || f.endsWith('.upload')),
    ).toEqual([]);
    expect(await stack.db.blob.findUnique({ where: { digest: claimed } })).toBeNull();
  });

  it("lets every authenticated token pull the platform's images, and only administrators push them", async () => {
    const repo = 'containerops/base';
    const body = Buffer.from('platform layer');
    expect((await pushBlob(repo, ADMIN_TOKEN, body)).status).toBe(201);
    const pulled = await reg(`/${repo}/blobs/${sha256(body)}`, { token: roles.other.token });
    expect(pulled.status).toBe(200);
    expect(Buffer.from(await pulled.arrayBuffer())).toEqual(body);
    expect((await reg(`/${repo}/blobs/${sha256(body)}`)).status).toBe(401);
    const pushed = await pushBlob(repo, roles.other.token, Buffer.from('not the platform'));
    expect(pushed.status).toBe(404);
    expect((await pushBlob(repo, roles.owner.token, Buffer.from('nor this'))).status).toBe(404);
  });

  it('answers 507 once a push would pass the project quota', async () => {
    const repo = `${roles.project}/big`;
    const res = await pushBlob(repo, roles.developer.token, crypto.randomBytes(8192));
    expect(res.status).toBe(507);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe(
      'QUOTA_EXCEEDED',
    );
  });
});
