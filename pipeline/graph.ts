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

/** Answers "is `candidate` among the transitive needs of `of`" for every pair. */
export interface AncestorIndex {
  has(of: string, candidate: string): boolean;
}

/**
 * Transitive needs of every step at once, as one bitset per step filled in dependency order:
 * O(steps x edges / 32) words. Walking the needs again for each step (the old way) was
 * quadratic in a chain and cubic-ish with wide fan-in: 2,000 steps needing the previous 20
 * took seconds. Steps on or behind a cycle fall back to a walk (validation reports the cycle).
 */
export function ancestorIndex(order: readonly string[], needs: Needs): AncestorIndex {
  const rank = new Map(order.map((id, i) => [id, i]));
  const words = Math.ceil(order.length / 32);
  const bits = new Map<string, Uint32Array>();
  for (const id of topologicalOrder(order, needs)) {
    const own = new Uint32Array(words);
    for (const need of needs.get(id) ?? []) {
      const r = rank.get(need);
      const theirs = bits.get(need);
      if (r === undefined || !theirs) continue;
      own[r >>> 5]! |= 1 << (r & 31);
      for (let w = 0; w < words; w++) own[w]! |= theirs[w]!;
    }
    bits.set(id, own);
  }
  const walked = new Map<string, Set<string>>();
  return {
    has(of, candidate) {
      const own = bits.get(of);
      const r = rank.get(candidate);
      if (own) return r !== undefined && (own[r >>> 5]! & (1 << (r & 31))) !== 0;
      let set = walked.get(of);
      if (!set) walked.set(of, (set = ancestorsOf(of, needs)));
      return set.has(candidate);
    },
  };
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
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  // ready steps by rank in a binary heap: sorting the ready list for every step was quadratic
  const ready = new RankHeap();
  order.forEach((id, i) => waiting.get(id) === 0 && ready.push(i));
  const out: string[] = [];
  for (let r = ready.pop(); r !== undefined; r = ready.pop()) {
    const id = order[r]!;
    out.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(rank.get(next)!);
    }
  }
  return out;
}

/** A min-heap of declaration ranks. */
class RankHeap {
  private readonly items: number[] = [];

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const child = left + 1 < items.length && items[left + 1]! < items[left]! ? left + 1 : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
