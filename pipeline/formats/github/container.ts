import type { PathSegment } from '../../errors';
import type { RefResolver } from './expr-cel';
import type { Job } from './schema';
import { celTemplate } from './templates';

type Report = (path: PathSegment[], message: string, offset?: number) => void;

/** Why each container: key the platform cannot honour is refused. */
const REFUSED: Record<string, string> = {
  options: 'container: options (podman flags) are not supported: the container runtime sets its own',
  volumes: 'container: volumes are not supported: a step sees only the run workspace',
  ports: 'container: ports are not supported: a step container publishes no ports',
  credentials:
    "container: credentials are not supported: images are pulled from the platform's dockyard with its own login",
};

/** The job step's image (on the container runtime) and the container's env, from `container:`. */
export function jobContainer(
  container: NonNullable<Job['container']>,
  at: PathSegment[],
  resolver: RefResolver,
  problem: Report,
): { image: string; env: Record<string, string> } {
  const spec = typeof container === 'string' ? { image: container } : container;
  for (const key of Object.keys(REFUSED)) {
    if (typeof container !== 'string' && container[key as keyof typeof container] !== undefined)
      problem([...at, key], REFUSED[key]!);
  }
  const imageAt = typeof container === 'string' ? at : [...at, 'image'];
  const image = celTemplate(spec.image, resolver, (o, m) => problem(imageAt, m, o));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(typeof container === 'string' ? {} : (container.env ?? {}))) {
    env[name] = celTemplate(String(value ?? ''), resolver, (o, m) => problem([...at, 'env', name], m, o));
  }
  return { image, env };
}
