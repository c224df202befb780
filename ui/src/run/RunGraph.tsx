import { useMemo } from 'react';
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { layoutGraph } from '../lib/layout';
import { useMeasuredNodes } from '../lib/measured-nodes';
import { duration } from '../lib/format';
import type { Plan, StepView } from '../lib/types';

type StepNodeData = { id: string; legs: StepView[]; status: string; selected: boolean; isFinally: boolean };
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
  const legSummary =
    legs.length > 1 ? `${legs.filter((l) => l.status === 'succeeded').length}/${legs.length} legs` : '';
  return (
    <div
      className={`step-node status-${status}${data.selected ? ' selected' : ''}`}
      data-step={data.id}
      data-status={status}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="step-node-title">
        {data.isFinally && <span className="finally-tag">finally</span>}
        {data.id}
      </div>
      <div className="step-node-meta">
        <span className="step-status">{status.replace('_', ' ')}</span>
        {legSummary && <span>{legSummary}</span>}
        {attempts > 1 && <span>{attempts} attempts</span>}
        {starts[0] && <span>{duration(starts[0], done ? (ends[ends.length - 1] ?? null) : null)}</span>}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

const nodeTypes = { step: StepBox };

export function RunGraph({
  plan,
  steps,
  selected,
  onSelect,
}: {
  plan: Plan;
  steps: StepView[];
  selected: string | undefined;
  onSelect(id: string): void;
}) {
  const layout = useMemo(() => {
    const all = [
      ...plan.nodes.map((n) => ({ n, fin: false })),
      ...plan.finally.map((n) => ({ n, fin: true })),
    ];
    const edges: Edge[] = plan.nodes.flatMap((n) =>
      n.needs.map((from) => ({ id: `${from}->${n.id}`, source: from, target: n.id })),
    );
    // finally steps run after everything: drawn after the last steps, dashed
    const sinks = plan.nodes.filter((n) => !plan.nodes.some((m) => m.needs.includes(n.id)));
    for (const f of plan.finally)
      for (const s of sinks)
        edges.push({ id: `${s.id}->${f.id}`, source: s.id, target: f.id, style: { strokeDasharray: '4 4' } });
    const nodes = all.map(({ n, fin }) => ({
      id: n.id,
      type: 'step' as const,
      position: { x: 0, y: 0 },
      data: { id: n.id, legs: [], status: 'pending', selected: false, isFinally: fin },
    }));
    return { nodes: layoutGraph(nodes, edges), edges };
  }, [plan]);

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
    <div className="graph" aria-label="Run graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        fitView
        fitViewOptions={{ maxZoom: 1.1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_e, node) => onSelect(node.id)}
        proOptions={{ hideAttribution: true }}
        minZoom={0.2}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
