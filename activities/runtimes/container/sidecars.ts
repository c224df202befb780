import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { SidecarLaunch, StepHooks } from '../runtime';
import { exportsOf } from './agent';
import { ULIMITS, podman, podmanError, type PodmanOptions } from './podman';
import { pullImage, resolveImage, type RegistryAccess } from './pull';

/**
 * A step's sidecars: service containers on podman's bridge network, started before the step's
 * container, which reaches each by its name (an /etc/hosts entry for its address). Their
 * variables reach them through a file on tmpfs sourced before their command, never through
 * `podman run -e`, so no value shows in `podman inspect`. Removed after the step, whatever
 * its end.
 */
export interface RunningSidecars {
  /** sidecar name -> its address on the bridge network */
  hosts: Record<string, string>;
  /** sidecar name -> the ports it is ready once they accept connections */
  ports: Record<string, number[]>;
  containers: string[];
  controlDir: string;
}

const ENV_MOUNT = '/run/co-sidecar';
/** sources the variables, then runs the sidecar's own command (its entrypoint and cmd as arguments) */
const WRAPPER = `set -a; . ${ENV_MOUNT}/env; set +a; exec "$@"`;
const READY_LIMIT_MS = 300_000;
const POLL_MS = 250;

export interface SidecarContext {
  options: PodmanOptions;
  registry?: RegistryAccess;
  /** container name prefix (the step container's name) */
  prefix: string;
  labels: Record<string, string>;
  controlDir: string;
  hooks: StepHooks;
}

type Started =
  { ok: true; sidecars: RunningSidecars } | { ok: false; kind: 'image' | 'infrastructure'; message: string };

/** Starts every sidecar and waits until each accepts connections on its ports; on failure removes them. */
export async function startSidecars(list: SidecarLaunch[], ctx: SidecarContext): Promise<Started> {
  const running: RunningSidecars = { hosts: {}, ports: {}, containers: [], controlDir: ctx.controlDir };
  await fs.promises.mkdir(ctx.controlDir, { recursive: true, mode: 0o700 });
  for (const sidecar of list) {
    const started = await startOne(sidecar, ctx, running);
    if (!started.ok) {
      await removeSidecars(ctx.options, running);
      return started;
    }
  }
  for (const sidecar of list) {
    const ready = await waitReady(sidecar, ctx, running);
    if (!ready.ok) {
      await removeSidecars(ctx.options, running);
      return ready;
    }
  }
  return { ok: true, sidecars: running };
}

async function startOne(
  sidecar: SidecarLaunch,
  ctx: SidecarContext,
  running: RunningSidecars,
): Promise<Started> {
  const image = resolveImage(sidecar.image, ctx.registry);
  const log = (line: string) => ctx.hooks.onLine('stderr', line);
  const present = await podman(ctx.options, ['image', 'exists', image]);
  if (present.code !== 0) {
    const pulled = await pullImage(ctx.options, image, ctx.registry, log);
    if (!pulled.ok)
      return { ok: false, kind: 'image', message: `sidecar ${sidecar.name}: ${pulled.message}` };
  }
  const name = `${ctx.prefix}-${sidecar.name}`;
  const dir = path.join(ctx.controlDir, sidecar.name);
  await fs.promises.mkdir(dir, { mode: 0o700 });
  await fs.promises.writeFile(path.join(dir, 'env'), exportsOf(sidecar.env).text, { mode: 0o600 });
  const command = await commandOf(sidecar, image, ctx.options);
  if ('problem' in command) return { ok: false, kind: 'image', message: command.problem };
  const labels = Object.entries(ctx.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const args = ['run', '--detach', '--pull=never', '--name', name, '--hostname', sidecar.name, ...labels];
  args.push(
    ...ULIMITS,
    '-v',
    `${dir}:${ENV_MOUNT}:ro`,
    '--entrypoint',
    JSON.stringify(['/bin/sh', '-c', WRAPPER, sidecar.name]),
  );
  const run = await podman(ctx.options, [...args, image, ...command.argv]);
  if (run.code !== 0)
    return {
      ok: false,
      kind: 'infrastructure',
      message: `cannot start sidecar ${sidecar.name}: ${podmanError(run)}`,
    };
  running.containers.push(name);
  const format = '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}';
  const inspected = await podman(ctx.options, ['inspect', '--format', format, name]);
  const address = inspected.stdout.trim().split(/\s+/)[0];
  if (inspected.code !== 0 || !address) {
    // a container that has already exited has left its network: say that, with its last lines
    const exited = await exitedEarly(sidecar, ctx, command.ports);
    return (
      exited ?? {
        ok: false,
        kind: 'infrastructure',
        message: `sidecar ${sidecar.name} has no network address`,
      }
    );
  }
  running.hosts[sidecar.name] = address;
  running.ports[sidecar.name] = command.ports;
  log(`[containerops] sidecar ${sidecar.name} (${sidecar.image}) started at ${address}`);
  return { ok: true, sidecars: running };
}

/**
 * The sidecar's argv (its entrypoint and command, each the image's unless the sidecar sets it) and
 * the ports to wait for: the sidecar's, else the TCP ports its image exposes (as GitLab waits).
 */
async function commandOf(
  sidecar: SidecarLaunch,
  image: string,
  options: PodmanOptions,
): Promise<{ argv: string[]; ports: number[] } | { problem: string }> {
  const format =
    '{"entrypoint":{{json .Config.Entrypoint}},"cmd":{{json .Config.Cmd}},"exposed":{{json .Config.ExposedPorts}}}';
  const result = await podman(options, ['image', 'inspect', '--format', format, image]);
  if (result.code !== 0) return { problem: `cannot read the command of ${image}: ${podmanError(result)}` };
  const config = JSON.parse(result.stdout) as {
    entrypoint: string[] | null;
    cmd: string[] | null;
    exposed: Record<string, unknown> | null;
  };
  const argv = [...(sidecar.entrypoint ?? config.entrypoint ?? []), ...(sidecar.command ?? config.cmd ?? [])];
  if (argv.length === 0) return { problem: `sidecar ${sidecar.name}: image ${image} has no command to run` };
  const exposed = Object.keys(config.exposed ?? {})
    .filter((p) => !p.endsWith('/udp'))
    .map((p) => Number(p.split('/')[0]))
    .filter((p) => Number.isInteger(p) && p > 0);
  return { argv, ports: sidecar.ports.length > 0 ? sidecar.ports : exposed };
}

/** A sidecar no longer running: its last lines go to the step's log, and the failure names the ports. */
async function exitedEarly(
  sidecar: SidecarLaunch,
  ctx: SidecarContext,
  ports: number[],
): Promise<Started | undefined> {
  const name = `${ctx.prefix}-${sidecar.name}`;
  const state = await podman(ctx.options, ['inspect', '--format', '{{.State.Running}}', name]);
  if (state.stdout.trim() === 'true') return undefined;
  const logs = await podman(ctx.options, ['logs', '--tail', '20', name]);
  for (const line of `${logs.stdout}${logs.stderr}`.split('\n').filter(Boolean))
    ctx.hooks.onLine('stderr', `[sidecar ${sidecar.name}] ${line}`);
  return {
    ok: false,
    kind: 'infrastructure',
    message: `sidecar ${sidecar.name} exited before it listened on port ${ports.join(', ')}`,
  };
}

/** Ready: every port accepts a TCP connection; a sidecar that exits first fails with its last lines. */
async function waitReady(
  sidecar: SidecarLaunch,
  ctx: SidecarContext,
  running: RunningSidecars,
): Promise<Started> {
  const address = running.hosts[sidecar.name]!;
  const deadline = Date.now() + READY_LIMIT_MS;
  const ports = running.ports[sidecar.name] ?? [];
  const waiting = new Set(ports);
  while (waiting.size > 0) {
    if (ctx.hooks.signal.aborted)
      return { ok: false, kind: 'infrastructure', message: 'cancelled while sidecars started' };
    for (const port of [...waiting]) if (await accepts(address, port)) waiting.delete(port);
    if (waiting.size === 0) break;
    const exited = await exitedEarly(sidecar, ctx, [...waiting]);
    if (exited) return exited;
    if (Date.now() > deadline)
      return {
        ok: false,
        kind: 'infrastructure',
        message: `sidecar ${sidecar.name} did not listen on port ${[...waiting].join(', ')} within ${READY_LIMIT_MS / 1000} s`,
      };
    try {
      ctx.hooks.heartbeat();
    } catch {
      // the activity is being cancelled: the signal says so on the next turn
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (ports.length > 0) ctx.hooks.onLine('stderr', `[containerops] sidecar ${sidecar.name} is ready`);
  return { ok: true, sidecars: running };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Removes the sidecars and their variables' files. */
export async function removeSidecars(options: PodmanOptions, running: RunningSidecars): Promise<void> {
  if (running.containers.length > 0)
    await podman(options, ['rm', '--force', '--time', '0', '--ignore', ...running.containers]);
  await fs.promises.rm(running.controlDir, { recursive: true, force: true });
}
