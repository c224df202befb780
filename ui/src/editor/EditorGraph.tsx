import { useEffect, useMemo, useRef, type DragEvent } from 'react';
import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { layoutGraph } from '../lib/layout';
import { useMeasuredNodes } from '../lib/measured-nodes';
import type { DocStep } from './pipeline-doc';

export const COMPONENT_MIME = 'application/x-containerops-component';

type EditNodeData = { step: DocStep; selected: boolean; errors: number };
type EditNode = Node<EditNodeData, 'edit'>;

function EditBox({ data }: NodeProps<EditNode>) {
  const { step } = data;
  const kind = step.uses ?? (step.approval ? 'approval' : step.run !== undefined ? 'run script' : '');
  return (
    <div
      className={`step-node edit-node${data.selected ? ' selected' : ''}${data.errors ? ' has-errors' : ''}`}
      data-step={step.id}
    >
      <Handle type="target" position={Position.Left} aria-label={`${step.id}: needs`} />
      <div className="step-node-title">
        {step.section === 'finally' && <span className="finally-tag">finally</span>}
        {step.id}
      </div>
      <div className="step-node-meta">
        <span className="mono">{kind}</span>
        {data.errors > 0 && (
          <span className="error-count">
            {data.errors} error{data.errors > 1 ? 's' : ''}
          </span>
        )}
      </div>
      <Handle type="source" position={Position.Right} aria-label={`${step.id}: next`} />
    </div>
  );
}

const nodeTypes = { edit: EditBox };

interface Props {
  steps: DocStep[];
  selected: string | undefined;
  errorsByStep: Map<string, number>;
  readOnly: boolean;
  onSelect(id: string | undefined): void;
  onConnect(from: string, to: string): void;
  onDisconnect(from: string, to: string): void;
  onRemove(id: string): void;
  onDropComponent(name: string): void;
}

function Canvas(props: Props) {
  const { steps, selected, errorsByStep, readOnly } = props;
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = useReactFlow();
  const structure = steps.map((s) => `${s.id}<${s.needs.join(',')}`).join(';');
  const layout = useMemo(() => {
    const edges: Edge[] = steps.flatMap((s) =>
      s.needs
        .filter((n) => steps.some((t) => t.id === n))
        .map((n) => ({ id: `${n}->${s.id}`, source: n, target: s.id })),
    );
    const nodes = steps.map((s) => ({
      id: s.id,
      type: 'edit' as const,
      position: { x: 0, y: 0 },
      data: { step: s, selected: false, errors: 0 },
    }));
    return { nodes: layoutGraph(nodes, edges), edges };
    // laid out again only when steps or needs change, not on every keystroke in an input
  }, [structure]);
  // a step added or removed, or a need drawn, is laid out anew: bring it all into view
  useEffect(() => {
    const frame = requestAnimationFrame(() => void flow.fitView({ maxZoom: 1 }));
    return () => cancelAnimationFrame(frame);
  }, [layout, flow]);
  const drawn: EditNode[] = layout.nodes.map((n) => {
    const step = steps.find((s) => s.id === n.id) ?? n.data.step;
    return {
      ...n,
      selected: n.id === selected,
      data: { step, selected: n.id === selected, errors: errorsByStep.get(n.id) ?? 0 },
    };
  });

  const { nodes, onNodesChange } = useMeasuredNodes(drawn);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    const name = e.dataTransfer.getData(COMPONENT_MIME);
    if (name && !readOnly) props.onDropComponent(name);
  }

  return (
    <div
      className="graph editor-graph"
      ref={wrapper}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(COMPONENT_MIME)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={onDrop}
      data-testid="canvas"
      aria-label="Pipeline graph: drop components here, drag from a step's right handle to another step to add a need"
      role="region"
    >
      <ReactFlow
        nodes={nodes}
        edges={layout.edges}
        nodeTypes={nodeTypes}
        onInit={() => flow.fitView({ maxZoom: 1 })}
        onNodesChange={onNodesChange}
        onNodeClick={(_e, n) => props.onSelect(n.id)}
        onPaneClick={() => props.onSelect(undefined)}
        onConnect={(c: Connection) => c.source && c.target && props.onConnect(c.source, c.target)}
        onNodesDelete={(deleted) => deleted.forEach((n) => props.onRemove(n.id))}
        onEdgesDelete={(deleted) => deleted.forEach((e) => props.onDisconnect(e.source, e.target))}
        nodesDraggable={false}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        proOptions={{ hideAttribution: true }}
        minZoom={0.2}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {steps.length === 0 && <p className="canvas-hint">Drag components from the palette onto the canvas.</p>}
    </div>
  );
}

export function EditorGraph(props: Props) {
  return (
    <ReactFlowProvider>
      <Canvas {...props} />
    </ReactFlowProvider>
  );
}
