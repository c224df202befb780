import { useMemo } from 'react';
import {
  Background,
  Handle,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { EDGE_OPTIONS } from '../graph/edges';
import { GraphToolbar } from '../graph/GraphToolbar';
import { handlePositions, layoutGraph, type Direction } from '../graph/layout';
import { useReadableFit } from '../graph/use-readable-fit';
import { useDirection } from '../graph/use-direction';
import { useMeasuredNodes } from '../lib/measured-nodes';
import { duration } from '../lib/format';
import type { Plan, StepView } from '../lib/types';

type StepNodeData = {
  id: string;
  legs: StepView[];
  status: string;
  selected: boolean;
  isFinally: boolean;
  direction: Direction;
};
type StepNode = Node<StepNodeData, 'step'>;

const PRIORITY = [
  'running',
  'waiting',
  'failed',
  'timed_out',
  'cancelled',
  'pending',
  'succeeded',
  'skipped',
];

/** One status for a step's matrix legs: the most telling one. */
export function combinedStatus(legs: StepView[]): string {
  return PRIORITY.find((p) => legs.some((l) => l.status === p)) ?? legs[0]?.status ?? 'pending';
}

function StepBox({ data }: NodeProps<StepNode>) {
  const { legs, status } = data;
  const attempts = Math.max(0, ...legs.map((l) => l.attempts));
  const starts = legs.flatMap((l) => (l.startedAt ? [l.startedAt] : [])).sort();
  const ends = legs.flatMap((l) => (l.finishedAt ? [l.finishedAt] : [])).sort();
  const done = legs.every((l) => l.finishedAt);
  const handles = handlePositions(data.direction);
  // a memoized step whose every leg reused an earlier run's result
  const cached = legs.length > 0 && legs.every((l) => l.cached);
  const legSummary =
    legs.length > 1 ? `${legs.filter((l) => l.status === 'succeeded').length}/${legs.length} legs` : '';
  return (
    <div
      className={`step-node status-${status}${cached ? ' cached' : ''}${data.selected ? ' selected' : ''}`}
      data-step={data.id}
      data-status={status}
      data-cached={cached || undefined}
    >
      <Handle type="target" position={handles.target} isConnectable={false} />
      <div className="step-node-title" title={data.id}>
        {data.isFinally && <span className="finally-tag">finally</span>}
        {data.id}
      </div>
      <div className="step-node-meta">
        <span className="step-status">{status.replace('_', ' ')}</span>
        {cached && <span className="cached-tag">cached</span>}
        {legSummary && <span>{legSummary}</span>}
        {attempts > 1 && <span>{attempts} attempts</span>}
        {starts[0] && <span>{duration(starts[0], done ? (ends[ends.length - 1] ?? null) : null)}</span>}
      </div>
      <Handle type="source" position={handles.source} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { step: StepBox };

interface Props {
  plan: Plan;
  steps: StepView[];
  selected: string | undefined;
  onSelect(id: string): void;
}

/** The plan as a layered graph: steps in `needs` order, finally steps after the last ones (dashed). */
function planLayout(plan: Plan, direction: Direction) {
  const all = [...plan.nodes.map((n) => ({ n, fin: false })), ...plan.finally.map((n) => ({ n, fin: true }))];
  const edges: Edge[] = plan.nodes.flatMap((n) =>
    n.needs.map((from) => ({ id: `${from}->${n.id}`, source: from, target: n.id })),
  );
  const sinks = plan.nodes.filter((n) => !plan.nodes.some((m) => m.needs.includes(n.id)));
  for (const f of plan.finally)
    for (const s of sinks)
      edges.push({
        id: `${s.id}->${f.id}`,
        source: s.id,
        target: f.id,
        style: { ...EDGE_OPTIONS.style, strokeDasharray: '6 4' },
      });
  const nodes = all.map(({ n, fin }) => ({
    id: n.id,
    type: 'step' as const,
    position: { x: 0, y: 0 },
    data: { id: n.id, legs: [], status: 'pending', selected: false, isFinally: fin, direction },
  }));
  return { nodes: layoutGraph(nodes, edges, direction, (n) => (fin(n) ? `finally ${n.id}` : n.id)), edges };
}
const fin = (n: { data: { isFinally: boolean } }) => n.data.isFinally;

function Canvas({ plan, steps, selected, onSelect }: Props) {
  const [direction, setDirection] = useDirection();
  const layout = useMemo(() => planLayout(plan, direction), [plan, direction]);
  const { fit, overflowing } = useReadableFit(layout);
  const drawn: StepNode[] = layout.nodes.map((n) => {
    const legs = steps.filter((s) => s.id === n.id);
    return {
      ...n,
      data: { ...n.data, legs, status: combinedStatus(legs), selected: n.id === selected },
      selected: n.id === selected,
    };
  });
  const { nodes, onNodesChange } = useMeasuredNodes(drawn);
  const edges = layout.edges.map((e) => {
    const status = combinedStatus(steps.filter((s) => s.id === e.source));
    return { ...e, animated: status === 'running', className: `edge-${status}` };
  });

  return (
    <div className="graph-frame">
      <GraphToolbar direction={direction} onDirection={setDirection} onFit={fit} />
      <div className="graph" aria-label="Run graph" role="region">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          defaultEdgeOptions={EDGE_OPTIONS}
          onNodesChange={onNodesChange}
          nodesDraggable={false}
          nodesConnectable={false}
          onNodeClick={(_e, node) => onSelect(node.id)}
          proOptions={{ hideAttribution: true }}
          minZoom={0.2}
          panOnScroll
        >
          <Background gap={20} size={1} />
          {overflowing && <MiniMap pannable zoomable ariaLabel="Minimap of the run graph" />}
        </ReactFlow>
      </div>
    </div>
  );
}

export function RunGraph(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
