/** The fake kubelet: drives pods through their lifecycle, by default running a tiny subset of sh. */
import type { LogBook } from './logs';
import type { KubeObject, ObjectStore } from './store';

export type PodBehavior = (pod: PodControl) => Promise<void>;

export const FAKE_NODE = {
  name: 'fake-node',
  labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'fake-node' },
};

export class PodControl {
  private terminationFile = '';

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: LogBook,
    readonly namespace: string,
    readonly name: string,
    private readonly addEvent: (pod: KubeObject, type: string, reason: string, message: string) => void,
  ) {}

  get pod(): KubeObject | undefined {
    return this.store.get('pods', this.namespace, this.name);
  }

  /** True once the pod is being deleted or gone: a behavior stops then. */
  get deleted(): boolean {
    const pod = this.pod;
    return !pod || Boolean(pod.metadata.deletionTimestamp);
  }

  /** A key of a Secret in the pod's namespace, as the kubelet resolves `secretKeyRef`. */
  secretValue(name: string, key: string): string | undefined {
    const secret = this.store.get('secrets', this.namespace, name);
    const data = secret?.data?.[key] as string | undefined;
    return data === undefined ? secret?.stringData?.[key] : Buffer.from(data, 'base64').toString('utf8');
  }

  get container(): any {
    return this.pod?.spec.containers[0];
  }

  schedule(): void {
    this.update((pod) => {
      pod.spec.nodeName = FAKE_NODE.name;
      setCondition(pod, 'PodScheduled', 'True');
    });
  }

  unschedulable(message: string): void {
    this.update((pod) => setCondition(pod, 'PodScheduled', 'False', 'Unschedulable', message));
    const pod = this.pod;
    if (pod) this.addEvent(pod, 'Warning', 'FailedScheduling', message);
  }

  waiting(reason: string, message?: string): void {
    this.update((pod) => setContainerState(pod, { waiting: { reason, ...(message ? { message } : {}) } }));
  }

  start(): void {
    this.startContainer(this.container.name);
  }

  /** One container of the pod runs (the pod is Running from the first). */
  startContainer(name: string): void {
    this.update((pod) => {
      pod.status.phase = 'Running';
      pod.status.startTime ??= new Date().toISOString();
      setContainerState(pod, { running: { startedAt: new Date().toISOString() } }, true, name);
    });
  }

  /** An init container ran to its end; with restartPolicy Never, a failed one fails the pod. */
  initExit(name: string, exitCode: number, message?: string): void {
    this.update((pod) => {
      const container = (pod.spec.initContainers ?? []).find((c: any) => c.name === name);
      const statuses = (pod.status.initContainerStatuses ??= []) as any[];
      const status = {
        name,
        image: container?.image ?? '',
        imageID: '',
        ready: exitCode === 0,
        restartCount: 0,
        started: false,
        state: { terminated: terminatedState(pod, exitCode, undefined, message) },
      };
      const i = statuses.findIndex((c) => c.name === name);
      if (i >= 0) statuses[i] = status;
      else statuses.push(status);
      if (exitCode !== 0) pod.status.phase = 'Failed';
    });
  }

  /** A container other than the step's ended: the pod ends once all of them have. */
  containerExit(name: string, exitCode: number, message?: string): void {
    this.update((pod) => {
      setContainerState(pod, { terminated: terminatedState(pod, exitCode, undefined, message) }, false, name);
      settlePhase(pod);
    });
  }

  log(...lines: string[]): void {
    if (this.deleted) return;
    for (const line of lines) this.logs.append(this.key, line);
  }

  /** What the container writes to /dev/termination-log ($CO_OUTPUTS). */
  writeTerminationLog(text: string): void {
    this.terminationFile += text;
  }

  exit(exitCode: number, reason?: string): void {
    const pod = this.pod;
    if (!pod || pod.metadata.deletionTimestamp) return;
    const policy = pod.spec.containers[0]?.terminationMessagePolicy;
    const message =
      this.terminationFile ||
      (exitCode !== 0 && policy === 'FallbackToLogsOnError' ? this.logs.tail(this.key, 80) : '');
    this.update((p) => {
      setContainerState(p, { terminated: terminatedState(p, exitCode, reason, message) });
      settlePhase(p);
    });
    this.logs.end(this.key);
  }

  /** Kubelet eviction under node pressure. */
  evict(message: string): void {
    this.update((pod) => {
      pod.status.phase = 'Failed';
      pod.status.reason = 'Evicted';
      pod.status.message = message;
      setCondition(pod, 'DisruptionTarget', 'True', 'TerminationByKubelet', message);
    });
    this.logs.end(this.key);
  }

  /** The node stops reporting: the node controller marks the pod. */
  nodeLost(): void {
    this.update((pod) => {
      pod.status.phase = 'Unknown';
      pod.status.reason = 'NodeLost';
      pod.status.message = `Node ${FAKE_NODE.name} which was running pod ${pod.metadata.name} is unresponsive`;
    });
  }

  event(type: string, reason: string, message: string): void {
    const pod = this.pod;
    if (pod) this.addEvent(pod, type, reason, message);
  }

  /** Waits, returning early (false) once the pod is deleted. */
  async sleep(ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (this.deleted) return false;
      await new Promise((r) => setTimeout(r, Math.min(20, until - Date.now())));
    }
    return !this.deleted;
  }

  private get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  private update(mutate: (pod: KubeObject) => void): void {
    const pod = this.pod;
    if (!pod || pod.metadata.deletionTimestamp) return;
    pod.status ??= {};
    mutate(pod);
    this.store.put('pods', pod);
  }
}

function setCondition(
  pod: KubeObject,
  type: string,
  status: string,
  reason?: string,
  message?: string,
): void {
  const conditions = (pod.status.conditions ??= []) as any[];
  const existing = conditions.find((c) => c.type === type);
  const condition = {
    type,
    status,
    lastTransitionTime: new Date().toISOString(),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  if (existing) Object.assign(existing, condition);
  else conditions.push(condition);
}

function terminatedState(pod: KubeObject, exitCode: number, reason?: string, message?: string) {
  return {
    exitCode,
    reason: reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
    ...(message ? { message } : {}),
    startedAt: pod.status.startTime,
    finishedAt: new Date().toISOString(),
  };
}

/** Running while any container runs; then Succeeded when every one exited 0, else Failed. */
function settlePhase(pod: KubeObject): void {
  const statuses = (pod.status.containerStatuses ?? []) as any[];
  const ended = (pod.spec.containers as any[]).map(
    (c) => statuses.find((s) => s.name === c.name)?.state?.terminated,
  );
  if (ended.some((t) => !t)) pod.status.phase = 'Running';
  else pod.status.phase = ended.every((t) => t.exitCode === 0) ? 'Succeeded' : 'Failed';
}

function setContainerState(
  pod: KubeObject,
  state: Record<string, unknown>,
  ready = false,
  name: string = pod.spec.containers[0].name,
): void {
  const container = (pod.spec.containers as any[]).find((c) => c.name === name);
  const statuses = (pod.status.containerStatuses ??= []) as any[];
  const status = {
    name,
    image: container?.image ?? '',
    imageID: '',
    ready,
    restartCount: 0,
    started: ready,
    state,
  };
  const i = statuses.findIndex((c) => c.name === name);
  if (i >= 0) statuses[i] = status;
  else statuses.push(status);
}

/** The default behavior: schedule, pull, then interpret `sh -e -c` scripts line by line. */
export const runScript: PodBehavior = async (pod) => {
  const spec = pod.pod?.spec;
  if (!spec) return;
  const selector = (spec.nodeSelector ?? {}) as Record<string, string>;
  if (Object.entries(selector).some(([k, v]) => (FAKE_NODE.labels as Record<string, string>)[k] !== v)) {
    pod.unschedulable("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
    return;
  }
  pod.schedule();
  const container = pod.container;
  pod.waiting('ContainerCreating');
  await pod.sleep(20);
  if (/does-not-exist|\.invalid\//.test(container.image)) {
    const message = `failed to pull image "${container.image}": dial tcp: lookup ${container.image.split('/')[0]}: no such host`;
    pod.waiting('ErrImagePull', message);
    if (await pod.sleep(50)) pod.waiting('ImagePullBackOff', `Back-off pulling image "${container.image}"`);
    return;
  }
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? pod.secretValue(ref.name, ref.key) : (e.value ?? '');
    if (value === undefined) {
      pod.waiting('CreateContainerConfigError', `secret "${ref.name}" not found or has no key "${ref.key}"`);
      return;
    }
    env[e.name] = value;
  }
  pod.start();
  const command: string[] = container.command ?? [];
  const script = command[0] === 'sh' ? (command[command.length - 1] ?? '') : '';
  pod.exit(await interpret(pod, script, env));
};

async function interpret(pod: PodControl, script: string, env: Record<string, string>): Promise<number> {
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const redirect = /\s*>>\s*"?\$\{?CO_OUTPUTS\}?"?\s*$/.exec(line);
    const body = redirect ? line.slice(0, redirect.index) : line;
    const [word = '', ...rest] = body.split(/\s+/);
    const args = expand(rest.join(' '), env);
    let out: string | undefined;
    if (word === 'echo') out = `${args}\n`;
    else if (word === 'printf') out = args.replace(/\\n/g, '\n');
    else if (word === 'sleep') {
      if (!(await pod.sleep(Number(args) * 1000))) return 137;
    } else if (word === 'exit') return Number(args) || 0;
    else if (word === 'false') return 1;
    else if (word !== 'true') {
      pod.log(`sh: ${word}: not found`);
      return 127;
    }
    if (out === undefined) continue;
    if (redirect) pod.writeTerminationLog(out);
    else pod.log(...out.replace(/\n$/, '').split('\n'));
  }
  return 0;
}

function expand(text: string, env: Record<string, string>): string {
  const unquoted = text.replace(/^'(.*)'$/s, '$1');
  if (unquoted !== text) return unquoted;
  return text
    .replace(/"/g, '')
    .replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => env[name] ?? '');
}
