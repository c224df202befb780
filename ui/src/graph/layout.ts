import dagre from '@dagrejs/dagre';
import { Position, type Edge, type Node } from '@xyflow/react';

export type Direction = 'LR' | 'TB';

export const NODE_HEIGHT = 64;
const MIN_WIDTH = 160;
const MAX_WIDTH = 340;
/** About one character of a node's title (14 px bold) plus room for the tag and padding. */
const CHAR_WIDTH = 8.6;

/** A node as wide as its name needs (within bounds), so names are not cut at a readable zoom. */
export function nodeWidth(label: string): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, label.length * CHAR_WIDTH + 56)));
}

/** Where edges leave and enter a node in each direction. */
export function handlePositions(direction: Direction): { source: Position; target: Position } {
  return direction === 'LR'
    ? { source: Position.Right, target: Position.Left }
    : { source: Position.Bottom, target: Position.Top };
}

/** Layered layout (dagre): each `needs` edge points one rank on, left to right or top to bottom. */
export function layoutGraph<N extends Node>(
  nodes: N[],
  edges: Edge[],
  direction: Direction,
  label: (n: N) => string,
): N[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: direction, nodesep: 24, ranksep: 64, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const widths = new Map(nodes.map((n) => [n.id, nodeWidth(label(n))]));
  for (const n of nodes) g.setNode(n.id, { width: widths.get(n.id)!, height: NODE_HEIGHT });
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return nodes.map((n) => {
    const p = g.node(n.id);
    const width = widths.get(n.id)!;
    return {
      ...n,
      width,
      style: { ...n.style, width },
      position: { x: p.x - width / 2, y: p.y - NODE_HEIGHT / 2 },
    };
  });
}
