import type { PathSegment } from '../../errors';
import type { SidecarDocument } from '../../sidecars';

type Report = (path: PathSegment[], message: string) => void;

/** Why each service key the platform cannot honour is refused. */
const REFUSED: Record<string, string> = {
  options:
    'services: options (docker create flags, --health-cmd among them) are not supported: a service is ready once its ports accept connections',
  volumes: 'services: volumes are not supported: a service sees no host directory',
  credentials:
    "services: credentials are not supported: images are pulled from the platform's dockyard with its own login",
};
const HOST_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The container port of a `ports:` entry: `5432`, `"5432"`, `"8080:80"` (host:container), `"80/tcp"`. */
function containerPort(entry: unknown): number | undefined {
  const text = String(entry).replace(/\/tcp$/, '');
  const port = Number(text.split(':').at(-1));
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * `jobs.<id>.services` -> the job step's sidecars: each reached by its key as host name (as
 * GitHub does for a job in a container), ready once each of its ports accepts connections.
 */
export function jobServices(
  services: Record<string, unknown>,
  at: PathSegment[],
  problem: Report,
): SidecarDocument[] {
  const out: SidecarDocument[] = [];
  for (const [key, raw] of Object.entries(services)) {
    const path = [...at, key];
    if (!HOST_NAME.test(key)) {
      problem(path, `service "${key}": its key is the host name the job reaches it by: use [a-z][a-z0-9-]`);
      continue;
    }
    const spec = (typeof raw === 'string' ? { image: raw } : raw) as Record<string, unknown> | null;
    if (
      !spec ||
      typeof spec !== 'object' ||
      Array.isArray(spec) ||
      typeof spec.image !== 'string' ||
      !spec.image
    ) {
      problem(path, `service "${key}" needs an image`);
      continue;
    }
    for (const k of Object.keys(spec)) {
      if (REFUSED[k]) problem([...path, k], REFUSED[k]);
      else if (!['image', 'env', 'ports'].includes(k))
        problem([...path, k], `service key "${k}" is not supported (image, env, ports)`);
    }
    const sidecar: SidecarDocument = { name: key, image: spec.image, env: {}, ports: [] };
    if (spec.image.includes('${{'))
      problem([...path, 'image'], 'expressions are not supported in a service image');
    for (const [name, value] of Object.entries((spec.env ?? {}) as Record<string, unknown>)) {
      const text = String(value ?? '');
      if (text.includes('${{'))
        problem(
          [...path, 'env', name],
          'expressions (and so secrets) are not supported in service env: write the value',
        );
      sidecar.env![name] = text;
    }
    const ports = Array.isArray(spec.ports) ? spec.ports : spec.ports === undefined ? [] : [spec.ports];
    ports.forEach((p, i) => {
      const port = containerPort(p);
      if (port === undefined)
        problem([...path, 'ports', i], `"${String(p)}" is not a port (5432 or "8080:80")`);
      else sidecar.ports!.push(port);
    });
    out.push(sidecar);
  }
  return out;
}
