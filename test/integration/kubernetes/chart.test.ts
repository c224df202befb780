/**
 * The platform's own Helm chart (deploy/helm/containerops): rendered by a real helm, and installed
 * on the real control plane of `npm run test:k8s:real` (kwok nodes run its pods).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AuthorizationV1Api,
  CoreV1Api,
  BatchV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { eventually, kwok, KWOK, startTarget, uniqueId, type KubeTarget } from './target';

const CHART = path.resolve(__dirname, '../../../deploy/helm/containerops');
const BIN = process.env.CO_KUBE_BIN ?? path.join(os.homedir(), '.cache/containerops/k8s/v1.37.2/bin');
const helmBuilt = fs.existsSync(path.join(BIN, 'helm'));
const DATABASE_URL = 'mysql://containerops:db-password-123@mysql:3306/containerops';

jest.setTimeout(kwok ? 420_000 : 60_000);

interface Rendered extends KubernetesObject {
  spec?: any;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
  stringData?: Record<string, string>;
}

function run(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(BIN, bin), args, { encoding: 'utf8', timeout: 330_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function template(...set: string[]): Rendered[] {
  const result = run('helm', [
    'template',
    'co',
    CHART,
    '--namespace',
    'platform',
    ...set.flatMap((s) => ['--set', s]),
  ]);
  if (result.status !== 0) throw new Error(result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Rendered)
    .filter(Boolean);
}

const describeHelm = helmBuilt ? describe : describe.skip;
if (!helmBuilt) console.warn(`chart tests skipped: no helm in ${BIN} (bash scripts/kube/build.sh builds it)`);

describeHelm('helm template', () => {
  test('renders the API and worker Deployments, a migration Job, a Service, PDBs and an Ingress', () => {
    const objects = template(`database.url=${DATABASE_URL}`, 'ingress.enabled=true');
    const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(kinds).toEqual(
      [
        'Deployment/co-containerops-api',
        'Deployment/co-containerops-worker',
        'Ingress/co-containerops',
        'Job/co-containerops-migrate',
        'Namespace/containerops-steps',
        'PodDisruptionBudget/co-containerops-api',
        'PodDisruptionBudget/co-containerops-worker',
        'Role/co-containerops-worker',
        'RoleBinding/co-containerops-worker',
        'Secret/co-containerops-database',
        'Secret/co-containerops-keys',
        'Service/co-containerops-api',
        'ServiceAccount/co-containerops-worker',
      ].sort(),
    );
    const api = objects.find((o) => o.metadata?.name === 'co-containerops-api' && o.kind === 'Deployment');
    const container = api?.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.requests).toBeDefined();
    expect(api?.spec.template.spec.automountServiceAccountToken).toBe(false);
    // The database URL (with its password) lives in the Secret only, never in a pod spec.
    for (const o of objects.filter((x) => x.kind !== 'Secret'))
      expect(JSON.stringify(o)).not.toContain('db-password-123');
  });

  test("the worker's Role covers pods, pods/log, secrets and events in each step namespace, nothing else", () => {
    const objects = template(
      `database.url=${DATABASE_URL}`,
      'worker.stepNamespaces={ci,release}',
      'worker.createStepNamespaces=false',
    );
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => r.metadata?.namespace)).toEqual(['ci', 'release']);
    for (const role of roles) {
      expect(role.rules?.flatMap((r) => r.apiGroups)).toEqual(['', '', '', '']);
      expect(role.rules?.flatMap((r) => r.resources).sort()).toEqual([
        'events',
        'pods',
        'pods/log',
        'secrets',
      ]);
    }
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'Namespace')).toBe(false);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => (b as any).subjects)).toEqual([
      [{ kind: 'ServiceAccount', name: 'co-containerops-worker', namespace: 'platform' }],
      [{ kind: 'ServiceAccount', name: 'co-containerops-worker', namespace: 'platform' }],
    ]);
    const worker = objects.find(
      (o) => o.metadata?.name === 'co-containerops-worker' && o.kind === 'Deployment',
    );
    const env = worker?.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env).toContainEqual({ name: 'CO_K8S_NAMESPACE', value: 'ci' });
    expect(env).toContainEqual({ name: 'CO_K8S_STEP_NAMESPACES', value: 'ci,release' });
    // step pods move artifacts with the chart's own image, against the API Service
    expect(env).toContainEqual({ name: 'CO_K8S_TOOL_IMAGE', value: 'containerops:0.1.0' });
    expect(env).toContainEqual({ name: 'CO_API_URL', value: 'http://co-containerops-api.platform.svc:80' });
  });

  test('the API and the worker share generated keys from one Secret; the migration Job gets none', () => {
    const objects = template(`database.url=${DATABASE_URL}`);
    const keys = objects.find((o) => o.kind === 'Secret' && o.metadata?.name === 'co-containerops-keys') as
      (Rendered & { data: Record<string, string> }) | undefined;
    const sealing = Buffer.from(keys!.data.CO_SECRETS_KEY!, 'base64').toString();
    expect(Buffer.from(sealing, 'base64')).toHaveLength(32);
    expect(Buffer.from(keys!.data.CO_DOCKYARD_TOKEN_KEY!, 'base64').toString().length).toBeGreaterThanOrEqual(
      32,
    );
    const envOf = (kind: string, name: string) =>
      (objects.find((o) => o.kind === kind && o.metadata?.name === name)?.spec.template.spec.containers[0]
        .env ?? []) as Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    for (const name of ['co-containerops-api', 'co-containerops-worker']) {
      for (const key of ['CO_SECRETS_KEY', 'CO_DOCKYARD_TOKEN_KEY'])
        expect(envOf('Deployment', name)).toContainEqual({
          name: key,
          valueFrom: { secretKeyRef: { name: 'co-containerops-keys', key } },
        });
    }
    expect(envOf('Job', 'co-containerops-migrate').map((e) => e.name)).not.toContain('CO_SECRETS_KEY');
    // a Secret of one's own replaces the generated one
    const own = template(`database.url=${DATABASE_URL}`, 'keys.existingSecret=platform-keys');
    expect(own.some((o) => o.metadata?.name === 'co-containerops-keys')).toBe(false);
    expect(JSON.stringify(own)).toContain('"name":"platform-keys","key":"CO_SECRETS_KEY"');
  });

  test('without a database the chart refuses to render, saying what to set', () => {
    expect(() => template()).toThrow(/set database.url or database.existingSecret/);
  });
});

const installTest = helmBuilt && kwok ? test : test.skip;
if (helmBuilt && !kwok)
  console.warn('chart install test skipped: needs the kwok control plane (npm run test:k8s:real)');

describe('helm install on the real control plane', () => {
  let target: KubeTarget;
  beforeAll(async () => {
    if (kwok) target = await startTarget();
  });

  installTest(
    "every object is accepted, the Deployments' pods run on the kwok node, and the worker may create pods only in its step namespaces",
    async () => {
      const namespace = uniqueId('platform');
      const stepNamespace = `${namespace}-steps`;
      const kubeconfig = process.env.KUBECONFIG ?? '';
      const values = path.join(os.tmpdir(), `${namespace}-values.yaml`);
      fs.writeFileSync(
        values,
        stringify({
          database: { url: DATABASE_URL },
          api: { replicas: 1 },
          worker: { replicas: 1, stepNamespaces: [stepNamespace] },
          ingress: { enabled: true },
          // kwok completes the migration Job's pod with exit code 0, as a finished migration would.
          migration: { podAnnotations: { [KWOK.exitCode]: '0' } },
        }),
      );
      const install = run('helm', [
        'install',
        'co',
        CHART,
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        namespace,
        '--create-namespace',
        '--values',
        values,
        '--wait',
        '--debug',
        '--timeout',
        '4m',
      ]);
      if (install.status !== 0)
        throw new Error(`helm install failed: ${install.stderr.split('\n').slice(-40).join('\n')}`);

      // Every object of the release exists as rendered.
      const manifest = run('helm', [
        'get',
        'manifest',
        'co',
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        namespace,
      ]);
      const objects = parseAllDocuments(manifest.stdout)
        .map((d) => d.toJS() as Rendered)
        .filter(Boolean);
      expect(objects.length).toBeGreaterThanOrEqual(10);
      const client = KubernetesObjectApi.makeApiClient(target.kc);
      for (const o of objects) {
        const namespaced = !['Namespace'].includes(o.kind ?? '');
        const read = await client.read({
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: {
            name: o.metadata?.name,
            ...(namespaced ? { namespace: o.metadata?.namespace ?? namespace } : {}),
          },
        } as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } });
        expect(read.metadata?.uid).toBeDefined();
      }

      // The migration hook ran to completion before the Deployments.
      const job = await target.kc
        .makeApiClient(BatchV1Api)
        .readNamespacedJob({ name: 'co-containerops-migrate', namespace });
      expect(job.status?.succeeded).toBe(1);

      // The Deployments' pods are Running and Ready on the kwok node.
      const core = target.kc.makeApiClient(CoreV1Api);
      for (const component of ['api', 'worker']) {
        const pods = await eventually(`the ${component} pod to run`, async () => {
          const list = await core.listNamespacedPod({
            namespace,
            labelSelector: `app.kubernetes.io/instance=co,app.kubernetes.io/component=${component}`,
          });
          return list.items.length === 1 && list.items[0]?.status?.phase === 'Running'
            ? list.items
            : undefined;
        });
        expect(pods[0]?.spec?.nodeName).toMatch(/^kwok-node-/);
        expect(pods[0]?.status?.conditions).toContainEqual(
          expect.objectContaining({ type: 'Ready', status: 'True' }),
        );
      }

      // What the worker's ServiceAccount may do, as the API server's authorizer answers
      // (a SubjectAccessReview: what `kubectl auth can-i --as` asks).
      const authz = target.kc.makeApiClient(AuthorizationV1Api);
      const canI = async (verb: string, resource: string, ns?: string, subresource?: string, group = '') => {
        const review = await authz.createSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: `system:serviceaccount:${namespace}:co-containerops-worker`,
              groups: [
                'system:serviceaccounts',
                `system:serviceaccounts:${namespace}`,
                'system:authenticated',
              ],
              resourceAttributes: {
                verb,
                resource,
                group,
                ...(ns ? { namespace: ns } : {}),
                ...(subresource ? { subresource } : {}),
              },
            },
          },
        });
        return review.status?.allowed ? 'yes' : 'no';
      };
      expect(await canI('create', 'pods', stepNamespace)).toBe('yes');
      expect(await canI('get', 'pods', stepNamespace, 'log')).toBe('yes');
      expect(await canI('create', 'secrets', stepNamespace)).toBe('yes');
      expect(await canI('list', 'events', stepNamespace)).toBe('yes');
      expect(await canI('create', 'pods', namespace)).toBe('no');
      expect(await canI('create', 'pods', 'default')).toBe('no');
      expect(await canI('get', 'secrets', 'default')).toBe('no');
      expect(await canI('create', 'deployments', stepNamespace, undefined, 'apps')).toBe('no');
      expect(await canI('list', 'nodes')).toBe('no');

      // An upgrade keeps the generated keys (the chart reads them back from the cluster), and an
      // uninstall leaves them: secrets sealed in the database stay readable by the next install.
      const readKeys = async () =>
        (await core.readNamespacedSecret({ name: 'co-containerops-keys', namespace })).data;
      const keys = await readKeys();
      expect(keys?.CO_SECRETS_KEY).toBeDefined();
      const upgrade = run('helm', [
        'upgrade',
        'co',
        CHART,
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        namespace,
        '--values',
        values,
        '--set',
        'logLevel=debug',
      ]);
      if (upgrade.status !== 0) throw new Error(`helm upgrade failed: ${upgrade.stderr}`);
      expect(await readKeys()).toEqual(keys);

      const uninstall = run('helm', [
        'uninstall',
        'co',
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        namespace,
      ]);
      expect(uninstall.status).toBe(0);
      expect(await readKeys()).toEqual(keys);
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      fs.rmSync(values, { force: true });
    },
  );

  afterAll(() => target?.stop());
});
