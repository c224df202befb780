import { z } from 'zod';
import type { PathSegment } from './errors';

/**
 * `sidecars:` of a step: service containers (a database, a cache) started beside the step's
 * container for the step's whole run and removed after it. The step reaches each by its name as
 * a host name. Only the container runtime runs them. (`services:` names registered third-party
 * services, scaler's; sidecars are containers.)
 */
const SIDECAR_NAME = /^[a-z][a-z0-9-]{0,62}$/;
export const MAX_SIDECARS = 8;

export const sidecarSchema = z.strictObject({
  /** the host name the step reaches it by */
  name: z.string().regex(SIDECAR_NAME, 'a sidecar name is a host name: [a-z][a-z0-9-]{0,62}'),
  image: z.string().min(1),
  env: z.record(z.string(), z.string()).optional(),
  /** replaces the image's entrypoint */
  entrypoint: z.array(z.string()).min(1).optional(),
  /** replaces the image's command (the entrypoint's arguments) */
  command: z.array(z.string()).min(1).optional(),
  /** TCP ports the sidecar listens on: the step starts once every one accepts connections */
  ports: z.array(z.number().int().min(1).max(65535)).optional(),
});
export type SidecarDocument = z.infer<typeof sidecarSchema>;

export const planSidecarSchema = z.strictObject({
  name: z.string(),
  image: z.string(),
  env: z.record(z.string(), z.string()),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  ports: z.array(z.number()),
});
export type PlanSidecar = z.infer<typeof planSidecarSchema>;

export const sidecarsSchema = z.array(sidecarSchema).min(1).max(MAX_SIDECARS);

export function buildSidecars(list: SidecarDocument[]): PlanSidecar[] {
  return list.map((s) => ({
    name: s.name,
    image: s.image,
    env: s.env ?? {},
    ...(s.entrypoint && { entrypoint: s.entrypoint }),
    ...(s.command && { command: s.command }),
    ports: s.ports ?? [],
  }));
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the schema cannot say: the runtime, unique names, no expressions (values travel as they are). */
export function checkSidecars(
  list: SidecarDocument[],
  step: { runtime?: string },
  path: PathSegment[],
  err: (path: PathSegment[], message: string) => void,
): void {
  if (step.runtime !== 'container') {
    err(
      [...path, 'sidecars'],
      'sidecars run only on the container runtime: set runtime: container (the local and kubernetes runtimes cannot start them)',
    );
  }
  const seen = new Set<string>();
  list.forEach((s, i) => {
    const at = [...path, 'sidecars', i];
    if (seen.has(s.name)) err([...at, 'name'], `duplicate sidecar name "${s.name}"`);
    seen.add(s.name);
    const values: [PathSegment[], string][] = [
      [[...at, 'image'], s.image],
      ...Object.entries(s.env ?? {}).map(([k, v]): [PathSegment[], string] => [[...at, 'env', k], v]),
      ...(s.entrypoint ?? []).map((v, j): [PathSegment[], string] => [[...at, 'entrypoint', j], v]),
      ...(s.command ?? []).map((v, j): [PathSegment[], string] => [[...at, 'command', j], v]),
    ];
    for (const [p, v] of values) {
      if (v.includes('${{'))
        err(p, 'expressions (and so secrets) are not supported in sidecars: write the value itself');
    }
    for (const name of Object.keys(s.env ?? {})) {
      if (!ENV_NAME.test(name)) err([...at, 'env', name], `"${name}" is not an environment variable name`);
    }
  });
}
