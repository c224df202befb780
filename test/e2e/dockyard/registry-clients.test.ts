import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ociTool } from '../../../scripts/oci-tools';
import { startStack, ADMIN_TOKEN, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

const run = promisify(execFile);

/** Real clients against dockyard: crane builds and pushes, skopeo pulls and copies, oras attaches and discovers. */
describe('dockyard OCI registry: client round trip (crane, skopeo, oras)', () => {
  let stack: Stack;
  let crane: string;
  let oras: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let host: string;
  const creds = `ci:${ADMIN_TOKEN}`;

  beforeAll(async () => {
    crane = ociTool('crane');
    oras = ociTool('oras');
    stack = await startStack({ worker: false });
    host = new URL(stack.url).host;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-clients-'));
    // crane reads credentials from a docker config; the token goes as the password of any user name
    fs.writeFileSync(
      path.join(work, 'config.json'),
      JSON.stringify({ auths: { [host]: { auth: Buffer.from(creds).toString('base64') } } }),
    );
    env = { ...process.env, DOCKER_CONFIG: work, HOME: work };
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('pushes a locally built image, pulls it back, copies it, attaches and discovers a referrer, deletes', async () => {
    const project = await createProject(stack);
    const app = `${host}/${project}/app`;
    const mirror = `${host}/${project}/mirror/app`;

    // build: one layer from a local directory, appended to an empty base image by crane
    const layerDir = path.join(work, 'layer');
    fs.mkdirSync(path.join(layerDir, 'srv'), { recursive: true });
    fs.writeFileSync(path.join(layerDir, 'srv', 'hello.txt'), 'hello from dockyard\n');
    const layer = path.join(work, 'layer.tar');
    await run('tar', ['-cf', layer, '-C', layerDir, 'srv']);
    await run(crane, ['append', '--insecure', '-f', layer, '-t', `${app}:v1`, '--oci-empty-base'], { env });
    const { stdout: digest } = await run(crane, ['digest', '--insecure', `${app}:v1`], { env });
    expect(digest.trim()).toMatch(/^sha256:[a-f0-9]{64}$/);

    // pull back with skopeo into an OCI layout and find the file in the layer
    const layout = path.join(work, 'pulled');
    await run(
      'skopeo',
      ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${app}:v1`, `oci:${layout}:v1`],
      { env },
    );
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]!.digest).toBe(digest.trim());
    const { stdout: files } = await run(crane, ['export', '--insecure', `${app}:v1`, '-'], {
      env,
      encoding: 'buffer',
      maxBuffer: 16 * 1024 * 1024,
    }).then(async (r) => {
      const tarFile = path.join(work, 'export.tar');
      fs.writeFileSync(tarFile, r.stdout);
      return run('tar', ['-tf', tarFile]);
    });
    expect(files).toContain('srv/hello.txt');

    // copy between repositories with skopeo; the digest is unchanged
    await run(
      'skopeo',
      [
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        creds,
        '--dest-creds',
        creds,
        `docker://${app}:v1`,
        `docker://${mirror}:v1`,
      ],
      { env },
    );
    const { stdout: mirrored } = await run(crane, ['digest', '--insecure', `${mirror}:v1`], { env });
    expect(mirrored.trim()).toBe(digest.trim());

    // attach a referrer with oras and discover it through the referrers API
    const sbom = path.join(work, 'sbom.json');
    fs.writeFileSync(sbom, '{"packages":[]}');
    const orasAuth = ['--plain-http', '-u', 'ci', '-p', ADMIN_TOKEN];
    await run(
      oras,
      [
        'attach',
        ...orasAuth,
        '--distribution-spec',
        'v1.1-referrers-api',
        '--artifact-type',
        'application/vnd.example.sbom',
        `${app}:v1`,
        'sbom.json',
      ],
      { env, cwd: work },
    );
    const { stdout: discovered } = await run(
      oras,
      ['discover', ...orasAuth, '--format', 'json', `${app}:v1`],
      {
        env,
      },
    );
    const referrers =
      (JSON.parse(discovered) as { referrers?: Array<{ artifactType: string }> }).referrers ?? [];
    expect(referrers.map((r) => r.artifactType)).toEqual(['application/vnd.example.sbom']);

    // delete: the tag in the mirror, then the image by digest; both are gone afterwards
    await run(crane, ['delete', '--insecure', `${mirror}@${digest.trim()}`], { env });
    await expect(run(crane, ['digest', '--insecure', `${mirror}:v1`], { env })).rejects.toThrow(
      /MANIFEST_UNKNOWN|404/,
    );
    const { stdout: stillThere } = await run(crane, ['digest', '--insecure', `${app}:v1`], { env });
    expect(stillThere.trim()).toBe(digest.trim());
  }, 300_000);
});
