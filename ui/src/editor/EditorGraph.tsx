import { useMemo, useRef, type DragEvent } from 'react';
import {
  Background,
  Handle,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  type Connection,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import { EDGE_OPTIONS } from '../graph/edges';
import { GraphToolbar } from '../graph/GraphToolbar';
import { handlePositions, layoutGraph, type Direction } from '../graph/layout';
import { useDirection } from '../graph/use-direction';
import { useReadableFit } from '../graph/use-readable-fit';
import { useMeasuredNodes } from '../lib/measured-nodes';
import type { DocStep } from './pipeline-doc';

export const COMPONENT_MIME = 'application/x-containerops-component';

type EditNodeData = { step: DocStep; selected: boolean; errors: number; direction: Direction };
type EditNode = Node<EditNodeData, 'edit'>;

function EditBox({ data }: NodeProps<EditNode>) {
  const { step } = data;
  const handles = handlePositions(data.direction);
  const kind = step.uses ?? (step.approval ? 'approval' : step.run !== undefined ? 'run script' : '');
  return (
    <div
      className={`step-node edit-node${data.selected ? ' selected' : ''}${data.errors ? ' has-errors' : ''}`}
      data-step={step.id}
    >
      <Handle type="target" position={handles.target} />
      <div className="step-node-title" title={step.id}>
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
      <Handle type="source" position={handles.source} />
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
  const [direction, setDirection] = useDirection();
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
      data: { step: s, selected: false, errors: 0, direction },
    }));
    const label = (n: (typeof nodes)[number]) =>
      n.data.step.section === 'finally' ? `finally ${n.id}` : n.id;
    return { nodes: layoutGraph(nodes, edges, direction, label), edges };
    // laid out again only when steps or needs change, not on every keystroke in an input
  }, [structure, direction]);
  // a step added or removed, or a need drawn, is laid out anew: bring it all into view
  const { fit, overflowing } = useReadableFit(layout);
  const drawn: EditNode[] = layout.nodes.map((n) => {
    const step = steps.find((s) => s.id === n.id) ?? n.data.step;
    return {
      ...n,
      selected: n.id === selected,
      data: { step, selected: n.id === selected, errors: errorsByStep.get(n.id) ?? 0, direction },
    };
  });

  const { nodes, onNodesChange } = useMeasuredNodes(drawn);

  function onDrop(e: DragEvent) {
    e.preventDefault();
    const name = e.dataTransfer.getData(COMPONENT_MIME);
    if (name && !readOnly) props.onDropComponent(name);
  }

  return (
    <div className="graph-frame">
      <GraphToolbar direction={direction} onDirection={setDirection} onFit={fit} />
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
          defaultEdgeOptions={EDGE_OPTIONS}
          onNodesChange={onNodesChange}
          onNodeClick={(_e, n) => props.onSelect(n.id)}
          onPaneClick={() => props.onSelect(undefined)}
          onConnect={(c: Connection) => c.source && c.target && props.onConnect(c.source, c.target)}
          onNodesDelete={(deleted) => deleted.forEach((n) => props.onRemove(n.id))}
          onEdgesDelete={(deleted) => deleted.forEach((e) => props.onDisconnect(e.source, e.target))}
          nodesDraggable={false}
          nodesConnectable={!readOnly}
          deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
          proOptions={{ hideAttribution: true }}
          minZoom={0.2}
        >
          <Background gap={20} size={1} />
          {overflowing && <MiniMap pannable zoomable ariaLabel="Minimap of the pipeline graph" />}
        </ReactFlow>
        {steps.length === 0 && (
          <p className="canvas-hint">Drag components from the palette onto the canvas.</p>
        )}
      </div>
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
