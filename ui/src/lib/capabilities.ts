import { useEffect, useState } from 'react';

/**
 * Which routes this server has, read once from its OpenAPI document (generated from the route
 * table). Pages for features a server does not offer yet (artifacts, secrets, services, the
 * catalog) show an empty state instead of calling a route that would answer 404.
 */
let routes: Promise<Set<string>> | undefined;

function loadRoutes(): Promise<Set<string>> {
  routes ??= fetch('/api/v1/openapi.json')
    .then((r) => (r.ok ? r.json() : { paths: {} }))
    .then((doc: { paths?: Record<string, Record<string, unknown>> }) => {
      const set = new Set<string>();
      for (const [path, methods] of Object.entries(doc.paths ?? {}))
        for (const method of Object.keys(methods)) set.add(`${method.toUpperCase()} ${path}`);
      return set;
    })
    .catch(() => new Set<string>());
  return routes;
}

/** `useRoute('GET', '/projects/{project}/secrets')`: true or false once known, undefined before. */
export function useRoute(method: string, path: string): boolean | undefined {
  const [has, setHas] = useState<boolean>();
  useEffect(() => {
    let live = true;
    void loadRoutes().then((set) => live && setHas(set.has(`${method} /api/v1${path}`)));
    return () => {
      live = false;
    };
  }, [method, path]);
  return has;
}
