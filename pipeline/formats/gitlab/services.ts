import type { PathSegment } from '../../errors';
import type { SidecarDocument } from '../../sidecars';

type Report = (path: PathSegment[], message: string) => void;
type Service = string | Record<string, unknown>;

const HOST_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const KEYS = ['name', 'alias', 'variables', 'command', 'entrypoint'];

/** GitLab's name for a service with no alias: the image without its tag, `/` as `-` (`tutum/wordpress` -> `tutum-wordpress`). */
function derivedName(image: string): string {
  return image
    .replace(/@.*$/, '')
    .replace(/:[^/]*$/, '')
    .replace(/\//g, '-');
}

const words = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : undefined);

/**
 * `services:` -> the job step's sidecars: each reached by its alias, or the name GitLab derives
 * from its image; ready once the ports its image exposes accept connections.
 */
export function gitlabServices(list: Service[], at: PathSegment[], problem: Report): SidecarDocument[] {
  return list.flatMap((raw, i): SidecarDocument[] => {
    const path = [...at, i];
    const spec: Record<string, unknown> = typeof raw === 'string' ? { name: raw } : raw;
    for (const key of Object.keys(spec)) {
      if (!KEYS.includes(key))
        problem([...path, key], `services: ${key} is not supported (${KEYS.join(', ')})`);
    }
    if (typeof spec.name !== 'string' || !spec.name) {
      problem(path, 'a service needs name: (its image)');
      return [];
    }
    const alias = spec.alias === undefined ? undefined : String(spec.alias);
    if (alias !== undefined && /[\s,]/.test(alias.trim()))
      problem([...path, 'alias'], 'one alias per service is supported');
    const host = alias?.trim() ?? derivedName(spec.name);
    if (!HOST_NAME.test(host)) {
      problem(
        alias === undefined ? path : [...path, 'alias'],
        `service host name "${host}" must match [a-z][a-z0-9-]{0,62}${alias === undefined ? ': give the service an alias' : ''}`,
      );
      return [];
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries((spec.variables ?? {}) as Record<string, unknown>)) {
      const value = v !== null && typeof v === 'object' ? (v as { value?: unknown }).value : v;
      env[k] = String(value ?? '');
      if (/\$/.test(env[k]) || env[k].includes('${{'))
        problem(
          [...path, 'variables', k],
          'service variables are passed as written: $VARIABLE references are not expanded',
        );
    }
    const command = words(spec.command);
    const entrypoint = words(spec.entrypoint);
    return [
      {
        name: host,
        image: spec.name,
        env,
        ...(command?.length && { command }),
        ...(entrypoint?.length && { entrypoint }),
      },
    ];
  });
}
