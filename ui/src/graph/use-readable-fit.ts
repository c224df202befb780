import { useCallback, useEffect, useState } from 'react';
import { useNodesInitialized, useReactFlow, useStore } from '@xyflow/react';

/** Node titles are 14 px: at this zoom they are 11.2 px on screen, the least that reads well. */
export const READABLE_ZOOM = 0.8;
const MAX_ZOOM = 1.1;
const PAD = 24;

/**
 * Fits the graph into its box, but never below a readable zoom: a graph too big for that is
 * shown from its start (top left) and panned or scrolled beyond. `overflowing` says so.
 */
export function useReadableFit(layoutKey: unknown): { fit(): void; overflowing: boolean } {
  const flow = useReactFlow();
  const initialized = useNodesInitialized();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const [overflowing, setOverflowing] = useState(false);

  const fit = useCallback(() => {
    const nodes = flow.getNodes();
    if (!nodes.length || !width || !height) return;
    const b = flow.getNodesBounds(nodes);
    const fitted = Math.min((width - 2 * PAD) / b.width, (height - 2 * PAD) / b.height, MAX_ZOOM);
    const zoom = Math.max(fitted, READABLE_ZOOM);
    const centre = (room: number, size: number, origin: number) =>
      size * zoom <= room - 2 * PAD ? (room - size * zoom) / 2 - origin * zoom : PAD - origin * zoom;
    setOverflowing(fitted < READABLE_ZOOM);
    void flow.setViewport({ x: centre(width, b.width, b.x), y: centre(height, b.height, b.y), zoom });
  }, [flow, width, height]);

  // a new shape (or a new size of the box) is fitted once its nodes are measured
  useEffect(() => {
    if (initialized) fit();
  }, [initialized, layoutKey, fit]);

  return { fit, overflowing };
}
