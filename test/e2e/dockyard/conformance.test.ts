import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ociTool } from '../../../scripts/oci-tools';
import { startStack, ADMIN_TOKEN, type Stack } from '../../support/stack';
import { createProject } from '../../support/runs';

/** Every API and data switch of the OCI conformance suite, referrers and sha512 included. */
const ALL_SWITCHES = [
  'PING',
  'PULL',
  'PUSH',
  'BLOBS_ATOMIC',
  'BLOBS_DELETE',
  'BLOBS_DIGEST_HEADER',
  'BLOBS_MOUNT_ANONYMOUS',
  'BLOBS_UPLOAD_CANCEL',
  'MANIFESTS_ATOMIC',
  'MANIFESTS_DELETE',
  'MANIFESTS_DIGEST_HEADER',
  'MANIFESTS_TAG_PARAM',
  'TAGS_ATOMIC',
  'TAGS_DELETE',
  'TAGS_LIST',
  'REFERRER',
]
  .map((s) => `OCI_API_${s}`)
  .concat(
    [
      'IMAGE',
      'INDEX',
      'INDEX_LIST',
      'SPARSE',
      'ARTIFACT',
      'SUBJECT',
      'SUBJECT_MISSING',
      'ARTIFACT_LIST',
      'SUBJECT_LIST',
      'DATA_FIELD',
      'NONDISTRIBUTABLE',
      'CUSTOM_FIELDS',
      'NO_LAYERS',
      'EMPTY_BLOB',
      'SHA512',
    ].map((s) => `OCI_DATA_${s}`),
  );

function junitCounts(xml: string) {
  const suite = /<testsuite [^>]*>/.exec(xml)?.[0] ?? '';
  const attr = (name: string) => Number(new RegExp(` ${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*status="([a-z]+)"/g)];
  return {
    tests: attr('tests'),
    failures: attr('failures'),
    errors: attr('errors'),
    passed: cases.filter((c) => c[2] === 'passed').length,
    failed: cases.filter((c) => c[2] !== 'passed' && c[2] !== 'skipped').map((c) => c[1]),
  };
}

describe('dockyard OCI registry: distribution-spec conformance', () => {
  let stack: Stack;
  let binary: string;

  beforeAll(async () => {
    binary = ociTool('conformance');
    stack = await startStack({ worker: false });
  }, 600_000);
  afterAll(() => stack?.stop());

  it('passes every check of the conformance suite with every switch on', async () => {
    const project = await createProject(stack);
    const results = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-conformance-'));
    const env: Record<string, string> = {
      ...process.env,
      OCI_REGISTRY: new URL(stack.url).host,
      OCI_TLS: 'disabled',
      OCI_REPO1: `${project}/repo1`,
      OCI_REPO2: `${project}/repo2`,
      OCI_USERNAME: 'conformance',
      OCI_PASSWORD: ADMIN_TOKEN,
      OCI_RESULTS_DIR: results,
      OCI_HIDE_SKIPPED_WORKFLOWS: '0',
    };
    for (const s of ALL_SWITCHES) env[s] = 'true';
    await promisify(execFile)(binary, [], { env, cwd: results, maxBuffer: 64 * 1024 * 1024 }).catch(
      (err: { code?: number }) => err,
    );
    // the suite exits 0 without reports when its configuration fails to load
    const junit = path.join(results, 'junit.xml');
    expect(fs.existsSync(junit)).toBe(true);
    const counts = junitCounts(fs.readFileSync(junit, 'utf8'));
    console.log(`OCI conformance: ${JSON.stringify(counts)} (report in ${results})`);
    expect(counts.tests).toBeGreaterThan(100);
    expect(counts.passed).toBeGreaterThan(100);
    expect(counts.failed).toEqual([]);
    expect(counts.failures).toBe(0);
    expect(counts.errors).toBe(0);
  }, 600_000);
});
