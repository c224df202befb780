/** Dependency graph helpers over step ids; `needs` maps each id to the ids it waits for. */
export type Needs = ReadonlyMap<string, readonly string[]>;

/** Every step reachable through `needs` from `id` (not including `id` unless on a cycle). */
export function ancestorsOf(id: string, needs: Needs): Set<string> {
  const seen = new Set<string>();
  const stack = [...(needs.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next) || !needs.has(next)) continue;
    seen.add(next);
    stack.push(...(needs.get(next) ?? []));
  }
  return seen;
}

/**
 * Finds dependency cycles, each as a closed path `[a, b, c, a]` where a needs b, b needs c...
 * Each cycle is reported once, rotated to start at the earliest-declared step on it.
 */
export function findCycles(order: readonly string[], needs: Needs): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const rank = new Map(order.map((id, i) => [id, i]));
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const stack: string[] = [];
  const visit = (root: string) => {
    // Iterative DFS so thousands of chained steps cannot overflow the call stack.
    const frames: { id: string; next: number }[] = [{ id: root, next: 0 }];
    state.set(root, 'active');
    stack.push(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const deps = needs.get(frame.id) ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.id, 'done');
        stack.pop();
        frames.pop();
        continue;
      }
      const dep = deps[frame.next++]!;
      if (!needs.has(dep)) continue;
      const s = state.get(dep);
      if (s === 'active') {
        const cycle = stack.slice(stack.indexOf(dep));
        const start = cycle.reduce(
          (best, id, i) => ((rank.get(id) ?? 0) < (rank.get(cycle[best]!) ?? 0) ? i : best),
          0,
        );
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = [...rotated].sort().join('\n');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...rotated, rotated[0]!]);
        }
      } else if (s === undefined) {
        state.set(dep, 'active');
        stack.push(dep);
        frames.push({ id: dep, next: 0 });
      }
    }
  };
  for (const id of order) if (!state.has(id)) visit(id);
  return cycles;
}

/** Kahn's algorithm, ties broken by declaration order; assumes no cycles. */
export function topologicalOrder(order: readonly string[], needs: Needs): string[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of order) {
    const deps = [...new Set(needs.get(id) ?? [])].filter((d) => rank.has(d));
    waiting.set(id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
  }
  const ready = order.filter((id) => waiting.get(id) === 0);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const id = ready.shift()!;
    out.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  return out;
}
