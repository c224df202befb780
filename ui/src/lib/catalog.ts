import { api } from './api';
import type { Component, Page } from './types';

/**
 * The component catalog (nucleus). List items may carry only a summary; a component's inputs
 * come from GET /components/:name/:version, fetched once per version.
 */
export async function listComponents(signal?: AbortSignal): Promise<Component[]> {
  const page = await api<Page<Component & { latest?: string | null }>>('/components?limit=200', {
    signal,
  });
  // a component whose every version is yanked has no latest: nothing to add to a pipeline
  return page.items.flatMap((c) => {
    const version = c.version ?? c.latest;
    return version ? [{ ...c, version }] : [];
  });
}

const cache = new Map<string, Promise<Component>>();
export function getComponent(name: string, version: string): Promise<Component> {
  const key = `${name}@${version}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = api<Component>(`/components/${encodeURIComponent(name)}/${encodeURIComponent(version)}`);
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/** `git-clone@1.2.3` -> `git-clone@1`: pipelines pin a major range, the plan pins the exact version. */
export function usesRef(component: Component): string {
  const major = component.version.split('.')[0];
  return `${component.name}@${major || component.version}`;
}
