import { useReactFlow } from '@xyflow/react';
import type { Direction } from './layout';

/** Zoom and direction controls above the graph, so they never cover a node. */
export function GraphToolbar({
  direction,
  onDirection,
  onFit,
}: {
  direction: Direction;
  onDirection(d: Direction): void;
  onFit(): void;
}) {
  const flow = useReactFlow();
  return (
    <div className="graph-toolbar" role="toolbar" aria-label="Graph controls">
      <button type="button" className="btn btn-small" onClick={() => flow.zoomIn()} aria-label="Zoom in">
        +
      </button>
      <button type="button" className="btn btn-small" onClick={() => flow.zoomOut()} aria-label="Zoom out">
        −
      </button>
      <button type="button" className="btn btn-small" onClick={onFit}>
        Fit
      </button>
      <span className="graph-direction" role="group" aria-label="Direction">
        {(['LR', 'TB'] as const).map((d) => (
          <button
            key={d}
            type="button"
            className="btn btn-small"
            aria-pressed={direction === d}
            onClick={() => onDirection(d)}
          >
            {d === 'LR' ? 'Left to right' : 'Top to bottom'}
          </button>
        ))}
      </span>
    </div>
  );
}
