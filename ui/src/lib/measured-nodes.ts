import { useCallback, useState } from 'react';
import type { Node, NodeChange } from '@xyflow/react';

type Size = { width: number; height: number };

/**
 * React Flow measures a node once, when it first observes it, and keeps the size only in
 * its internal copy. Controlled nodes rebuilt on every render (new status, new validation)
 * replace that copy; a render landing between the measure and the next paint left nodes
 * hidden and without handles for good. The sizes it reports are kept here and handed back.
 */
export function useMeasuredNodes<N extends Node>(
  nodes: N[],
): { nodes: N[]; onNodesChange(changes: NodeChange<N>[]): void } {
  const [sizes, setSizes] = useState<ReadonlyMap<string, Size>>(() => new Map());
  const onNodesChange = useCallback((changes: NodeChange<N>[]) => {
    const measured = changes.flatMap((c) => (c.type === 'dimensions' && c.dimensions ? [c] : []));
    if (measured.length === 0) return;
    setSizes((previous) => {
      const next = new Map(previous);
      for (const c of measured) next.set(c.id, { width: c.dimensions!.width, height: c.dimensions!.height });
      return next;
    });
  }, []);
  return {
    nodes: nodes.map((n) => {
      const size = sizes.get(n.id);
      return size ? { ...n, measured: size } : n;
    }),
    onNodesChange,
  };
}
