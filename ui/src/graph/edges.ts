import { MarkerType, type DefaultEdgeOptions } from '@xyflow/react';

const EDGE_COLOUR = '#5d6778';

/** Edges drawn solid enough to follow, with an arrowhead where the dependent step is. */
export const EDGE_OPTIONS: DefaultEdgeOptions = {
  markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: EDGE_COLOUR },
  style: { stroke: EDGE_COLOUR, strokeWidth: 2 },
};
