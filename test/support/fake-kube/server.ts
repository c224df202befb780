/**
 * A fake Kubernetes API server (node:http on 127.0.0.1) speaking the REST shapes the runtime
 * and deploy activities use. Every object written is validated against the official schemas.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { defaultRollout, reconcileDeployment, reconcileOtherWorkload, type RolloutBehavior } from './apps';
import { formatTimestamp, LogBook, parseSinceTime } from './logs';
import { PodControl, runScript, type PodBehavior } from './pods';
import { clone, ObjectStore, selectorMatcher, type KubeObject } from './store';
import { validateObject } from './validate';

const RESOURCES: Record<string, Array<{ name: string; kind: string; namespaced: boolean }>> = {
  v1: [
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'events', kind: 'Event', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
  ],
  'apps/v1': [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'statefulsets', kind: 'StatefulSet', namespaced: true },
    { name: 'daemonsets', kind: 'DaemonSet', namespaced: true },
    { name: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  ],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  'batch/v1': [{ name: 'jobs', kind: 'Job', namespaced: true }],
};

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** the bearer token the client sent, to tell which credentials reached the server */
  bearer?: string;
  status: number;
}

export class FakeKube {
  readonly store = new ObjectStore();
  readonly logs = new LogBook();
  /** Every request, in order, with the status answered. */
  readonly requests: RequestRecord[] = [];
  /** Objects refused by validation, with the reasons: a test fails when the runtime sends one. */
  readonly rejected: Array<{ kind: string; name: string; errors: string[] }> = [];
  /** What the fake kubelet does with a new pod; default: run its `sh -c` script. */
  podBehavior: PodBehavior = runScript;
  rolloutBehavior: RolloutBehavior = defaultRollout;
  /** Answer every request with this status (e.g. 503) while set: an unreachable/overloaded API. */
  failAllWith?: number;
  private dropLogAfter?: number;
  private readonly openWatches = new Set<http.ServerResponse>();
  private readonly behaviors: Promise<void>[] = [];
  private server?: http.Server;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.openWatches) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
    await Promise.allSettled(this.behaviors);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake', token: 'fake-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  /** The next log connection breaks after this many lines, halfway through the next one. */
  dropNextLogStreamAfter(lines: number): void {
    this.dropLogAfter = lines;
  }

  /** Closes every open watch connection, as an API server restart or a load balancer would. */
  dropWatches(): void {
    for (const res of this.openWatches) res.destroy();
    this.openWatches.clear();
  }

  control(namespace: string, name: string): PodControl {
    return new PodControl(this.store, this.logs, namespace, name, (pod, type, reason, message) =>
      this.addEvent(pod, type, reason, message),
    );
  }

  podsCreated(): RequestRecord[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pods') && r.status === 201);
  }

  addEvent(pod: KubeObject, type: string, reason: string, message: string): void {
    const now = new Date().toISOString();
    this.store.put('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${pod.metadata.name}.${Date.now().toString(16)}${Math.random().toString(16).slice(2, 6)}`,
        namespace: pod.metadata.namespace,
      },
      involvedObject: {
        kind: 'Pod',
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        uid: pod.metadata.uid,
      },
      type,
      reason,
      message,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: 'fake' },
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      contentType: req.headers['content-type'],
      bearer: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
      status: 0,
    };
    this.requests.push(record);
    const reply = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, reason: string, message: string) =>
      reply(status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code: status,
      });
    try {
      if (this.failAllWith)
        return fail(
          this.failAllWith,
          'ServiceUnavailable',
          'the server is currently unable to handle the request',
        );
      const discovery = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(url.pathname);
      if (discovery) {
        const groupVersion = discovery[1] ?? discovery[2] ?? '';
        const resources = RESOURCES[groupVersion];
        if (!resources) return fail(404, 'NotFound', 'the server could not find the requested resource');
        return reply(200, {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion,
          resources: resources.map((r) => ({
            ...r,
            singularName: r.kind.toLowerCase(),
            verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'],
          })),
        });
      }
      const route =
        /^\/(?:api\/v1|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(
          url.pathname,
        );
      if (!route) return fail(404, 'NotFound', 'the server could not find the requested resource');
      const [, group = 'v1', namespace, resource = '', name, sub] = route;
      const known = RESOURCES[group]?.find((r) => r.name === resource);
      if (!known)
        return fail(404, 'NotFound', `the server could not find the requested resource (${resource})`);
      const method = req.method ?? 'GET';
      if (sub === 'log' && name && namespace)
        return this.streamLog(res, record, namespace, name, url.searchParams);
      if (method === 'GET' && !name && url.searchParams.get('watch') === 'true')
        return this.watch(res, record, resource, namespace, url.searchParams);
      if (method === 'GET' && !name) {
        const matches = selectorMatcher(
          url.searchParams.get('labelSelector'),
          url.searchParams.get('fieldSelector'),
        );
        const items = this.store.list(resource, namespace).filter(matches);
        return reply(200, {
          kind: `${known.kind}List`,
          apiVersion: group,
          metadata: { resourceVersion: this.store.resourceVersion },
          items,
        });
      }
      if (method === 'GET' && name) {
        const obj = this.store.get(resource, namespace, name);
        return obj ? reply(200, obj) : fail(404, 'NotFound', `${resource} "${name}" not found`);
      }
      if (method === 'POST' && resource === 'pods' && namespace)
        return this.createPod(reply, fail, namespace, body);
      if (method === 'POST' && !name) return this.create(reply, fail, known, namespace, body);
      if (method === 'DELETE' && name) {
        const obj = this.deleteObject(
          resource,
          namespace,
          name,
          Number(
            url.searchParams.get('gracePeriodSeconds') ?? JSON.parse(body || '{}').gracePeriodSeconds ?? 30,
          ),
        );
        return obj ? reply(200, obj) : fail(404, 'NotFound', `${resource} "${name}" not found`);
      }
      if (method === 'PATCH' && name)
        return this.apply(reply, fail, req, url.searchParams, group, known, namespace, name, body);
      return fail(405, 'MethodNotAllowed', `${method} is not supported by the fake`);
    } catch (err) {
      return fail(500, 'InternalError', (err as Error).stack ?? String(err));
    }
  }

  private createPod(
    reply: (s: number, p: unknown) => void,
    fail: (s: number, r: string, m: string) => void,
    namespace: string,
    body: string,
  ) {
    const pod = JSON.parse(body) as KubeObject;
    pod.metadata.namespace ??= namespace;
    const errors = validateObject(pod);
    if (errors.length) {
      this.rejected.push({ kind: 'Pod', name: pod.metadata?.name, errors });
      return fail(422, 'Invalid', `Pod "${pod.metadata?.name}" is invalid: ${errors.join('; ')}`);
    }
    if (this.store.get('pods', namespace, pod.metadata.name))
      return fail(409, 'AlreadyExists', `pods "${pod.metadata.name}" already exists`);
    pod.status = { phase: 'Pending', qosClass: 'BestEffort' };
    const stored = this.store.put('pods', pod);
    reply(201, stored);
    const control = this.control(namespace, pod.metadata.name);
    this.behaviors.push(this.podBehavior(control).catch(() => undefined));
  }

  private create(
    reply: (s: number, p: unknown) => void,
    fail: (s: number, r: string, m: string) => void,
    known: { name: string; kind: string },
    namespace: string | undefined,
    body: string,
  ) {
    const obj = JSON.parse(body) as KubeObject;
    if (obj.metadata) obj.metadata.namespace ??= namespace;
    const errors = validateObject(obj);
    if (errors.length) {
      this.rejected.push({ kind: known.kind, name: obj.metadata?.name, errors });
      return fail(422, 'Invalid', `${known.kind} "${obj.metadata?.name}" is invalid: ${errors.join('; ')}`);
    }
    if (this.store.get(known.name, namespace, obj.metadata.name))
      return fail(409, 'AlreadyExists', `${known.name} "${obj.metadata.name}" already exists`);
    reply(201, this.store.put(known.name, obj));
  }

  private deleteObject(
    resource: string,
    namespace: string | undefined,
    name: string,
    grace: number,
  ): KubeObject | undefined {
    const obj = this.store.get(resource, namespace, name);
    if (!obj) return undefined;
    const finished = ['Succeeded', 'Failed'].includes(obj.status?.phase);
    if (resource !== 'pods' || grace === 0 || finished) {
      this.logs.end(`${namespace}/${name}`);
      return this.store.remove(resource, namespace, name);
    }
    obj.metadata.deletionTimestamp = new Date().toISOString();
    const marked = this.store.put(resource, obj);
    // The kubelet sends SIGTERM; our fake containers stop at once and the pod goes away.
    setTimeout(
      () => {
        this.logs.end(`${namespace}/${name}`);
        this.store.remove(resource, namespace, name);
      },
      Math.min(grace * 1000, 100),
    );
    return marked;
  }

  private apply(
    reply: (s: number, p: unknown) => void,
    fail: (s: number, r: string, m: string) => void,
    req: http.IncomingMessage,
    params: URLSearchParams,
    group: string,
    known: { name: string; kind: string; namespaced: boolean },
    namespace: string | undefined,
    name: string,
    body: string,
  ) {
    if (req.headers['content-type'] === 'application/merge-patch+json') {
      const existing = this.store.get(known.name, namespace, name);
      if (!existing) return fail(404, 'NotFound', `${known.name} "${name}" not found`);
      return this.write(reply, fail, known, existing, mergePatch(clone(existing), JSON.parse(body)));
    }
    if (req.headers['content-type'] !== 'application/apply-patch+yaml') {
      return fail(415, 'UnsupportedMediaType', `unsupported patch type ${req.headers['content-type']}`);
    }
    if (!params.get('fieldManager'))
      return fail(422, 'Invalid', 'fieldManager is required for apply requests');
    const applied = parseYaml(body) as KubeObject;
    if (applied.metadata?.name !== name)
      return fail(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    if (applied.apiVersion !== group || applied.kind !== known.kind)
      return fail(400, 'BadRequest', 'apiVersion/kind do not match the URL');
    applied.metadata.namespace ??= namespace;
    const existing = this.store.get(known.name, namespace, name);
    const merged: KubeObject = {
      ...clone(applied),
      metadata: {
        ...existing?.metadata,
        ...applied.metadata,
        labels: { ...existing?.metadata.labels, ...applied.metadata.labels },
        annotations: { ...existing?.metadata.annotations, ...applied.metadata.annotations },
      },
      ...(existing?.status ? { status: existing.status } : {}),
    };
    delete merged.metadata.resourceVersion;
    return this.write(reply, fail, known, existing, merged);
  }

  /** Validates and stores a written object, bumping generation on spec changes, then reconciles. */
  private write(
    reply: (s: number, p: unknown) => void,
    fail: (s: number, r: string, m: string) => void,
    known: { name: string; kind: string },
    existing: KubeObject | undefined,
    merged: KubeObject,
  ) {
    const name = merged.metadata.name;
    // Go's omitempty: a real server never returns `paused: false`.
    if (merged.kind === 'Deployment' && merged.spec?.paused === false) delete merged.spec.paused;
    const errors = validateObject(merged);
    if (errors.length) {
      this.rejected.push({ kind: known.kind, name, errors });
      return fail(422, 'Invalid', `${known.kind} "${name}" is invalid: ${errors.join('; ')}`);
    }
    const specChanged = JSON.stringify(existing?.spec) !== JSON.stringify(merged.spec);
    merged.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged || !existing ? 1 : 0);
    const stored = this.store.put(known.name, merged);
    reply(existing ? 200 : 201, stored);
    if (!specChanged) return;
    if (known.name === 'deployments') reconcileDeployment(this.store, stored, this.rolloutBehavior);
    else if (known.name === 'statefulsets' || known.name === 'daemonsets')
      reconcileOtherWorkload(this.store, known.name, stored);
  }

  private watch(
    res: http.ServerResponse,
    record: RequestRecord,
    resource: string,
    namespace: string | undefined,
    params: URLSearchParams,
  ) {
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/json' });
    this.openWatches.add(res);
    const matches = selectorMatcher(params.get('labelSelector'), params.get('fieldSelector'));
    const unsubscribe = this.store.watch(
      {
        resource,
        namespace,
        matches,
        send: (type, object) => res.write(`${JSON.stringify({ type, object })}\n`),
      },
      params.get('resourceVersion') ?? undefined,
    );
    const timeout = setTimeout(() => res.end(), Number(params.get('timeoutSeconds') ?? 300) * 1000);
    res.on('close', () => {
      clearTimeout(timeout);
      unsubscribe();
      this.openWatches.delete(res);
    });
  }

  private streamLog(
    res: http.ServerResponse,
    record: RequestRecord,
    namespace: string,
    name: string,
    params: URLSearchParams,
  ) {
    const pod = this.store.get('pods', namespace, name);
    const send = (status: number, message: string) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code: status }));
    };
    if (!pod) return send(404, `pods "${name}" not found`);
    const state = pod.status?.containerStatuses?.[0]?.state;
    if (!state?.running && !state?.terminated) {
      return send(
        400,
        `container "step" in pod "${name}" is waiting to start: ${state?.waiting?.reason ?? 'ContainerCreating'}`,
      );
    }
    record.status = 200;
    res.writeHead(200, { 'content-type': 'text/plain' });
    const key = `${namespace}/${name}`;
    const timestamps = params.get('timestamps') === 'true';
    let dropAfter = this.dropLogAfter;
    this.dropLogAfter = undefined;
    const write = (line: { ns: bigint; text: string }): boolean => {
      const text = `${timestamps ? `${formatTimestamp(line.ns)} ` : ''}${line.text}\n`;
      if (dropAfter !== undefined && dropAfter-- <= 0) {
        res.write(text.slice(0, Math.ceil(text.length / 2)));
        res.socket?.destroy();
        return false;
      }
      res.write(text);
      return true;
    };
    for (const line of this.logs.since(key, parseSinceTime(params.get('sinceTime'))))
      if (!write(line)) return;
    if (params.get('follow') !== 'true' || this.logs.isEnded(key)) return void res.end();
    const unsubscribe = this.logs.subscribe(key, (line) => {
      if (!line) return void (unsubscribe(), res.end());
      if (!write(line)) unsubscribe();
    });
    res.on('close', unsubscribe);
  }
}

function mergePatch(target: any, patch: any): any {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
