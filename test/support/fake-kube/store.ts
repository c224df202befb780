/** The fake API server's objects, resourceVersions and watch fan-out. */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
  };
  [field: string]: any;
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Watcher {
  resource: string;
  namespace?: string;
  matches(obj: KubeObject): boolean;
  send(type: WatchType, obj: KubeObject): void;
}

export class ObjectStore {
  private version = 1000;
  private uid = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: Array<{ rv: number; resource: string; type: WatchType; object: KubeObject }> = [];
  private readonly watchers = new Set<Watcher>();

  get resourceVersion(): string {
    return String(this.version);
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.objects.get(key(resource, namespace, name));
    return obj && clone(obj);
  }

  list(resource: string, namespace?: string): KubeObject[] {
    return [...this.objects.entries()]
      .filter(
        ([k, o]) =>
          k.startsWith(`${resource}/`) && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .map(([, o]) => clone(o));
  }

  put(resource: string, obj: KubeObject): KubeObject {
    const k = key(resource, obj.metadata.namespace, obj.metadata.name);
    const existing = this.objects.get(k);
    const stored = clone(obj);
    stored.metadata.uid ??= existing?.metadata.uid ?? `uid-${++this.uid}`;
    stored.metadata.creationTimestamp ??= existing?.metadata.creationTimestamp ?? new Date().toISOString();
    stored.metadata.resourceVersion = String(++this.version);
    this.objects.set(k, stored);
    this.emit(resource, existing ? 'MODIFIED' : 'ADDED', stored);
    return clone(stored);
  }

  remove(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(resource, namespace, name);
    const existing = this.objects.get(k);
    if (!existing) return undefined;
    this.objects.delete(k);
    existing.metadata.resourceVersion = String(++this.version);
    this.emit(resource, 'DELETED', existing);
    this.collectDependents(existing.metadata.uid);
    return clone(existing);
  }

  /** The garbage collector: objects whose ownerReferences name a deleted owner go too. */
  private collectDependents(uid: string | undefined): void {
    if (!uid) return;
    for (const [k, o] of [...this.objects]) {
      if (!o.metadata.ownerReferences?.some((ref) => ref.uid === uid)) continue;
      this.remove(k.slice(0, k.indexOf('/')), o.metadata.namespace, o.metadata.name);
    }
  }

  /** Replays history after `sinceVersion`, then streams; returns the unsubscribe function. */
  watch(watcher: Watcher, sinceVersion?: string): () => void {
    if (sinceVersion) {
      for (const event of this.history) {
        if (
          event.rv > Number(sinceVersion) &&
          event.resource === watcher.resource &&
          inScope(watcher, event.object)
        ) {
          watcher.send(event.type, clone(event.object));
        }
      }
    }
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private emit(resource: string, type: WatchType, obj: KubeObject): void {
    this.history.push({ rv: this.version, resource, type, object: clone(obj) });
    for (const w of this.watchers) if (w.resource === resource && inScope(w, obj)) w.send(type, clone(obj));
  }
}

function inScope(w: Watcher, obj: KubeObject): boolean {
  return (w.namespace === undefined || w.namespace === obj.metadata.namespace) && w.matches(obj);
}

function key(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** `a=b,c!=d,e` label selectors and `metadata.name=x` field selectors. */
export function selectorMatcher(labelSelector?: string | null, fieldSelector?: string | null) {
  const labelTerms = parseTerms(labelSelector);
  const fieldTerms = parseTerms(fieldSelector);
  return (obj: KubeObject): boolean =>
    labelTerms.every((t) => test(t, obj.metadata.labels?.[t.key])) &&
    fieldTerms.every((t) => test(t, fieldValue(obj, t.key)));
}

interface Term {
  key: string;
  op: '=' | '!=' | 'exists';
  value?: string;
}

function parseTerms(selector?: string | null): Term[] {
  if (!selector) return [];
  return selector.split(',').map((part) => {
    const ne = part.split('!=');
    if (ne.length === 2) return { key: ne[0]!.trim(), op: '!=', value: ne[1]!.trim() };
    const eq = part.split(/==?/);
    if (eq.length === 2) return { key: eq[0]!.trim(), op: '=', value: eq[1]!.trim() };
    return { key: part.trim(), op: 'exists' };
  });
}

function test(term: Term, actual: string | undefined): boolean {
  if (term.op === 'exists') return actual !== undefined;
  if (term.op === '=') return actual === term.value;
  return actual !== term.value;
}

function fieldValue(obj: KubeObject, path: string): string | undefined {
  let value: any = obj;
  for (const part of path.split('.')) value = value?.[part];
  return value === undefined ? undefined : String(value);
}
