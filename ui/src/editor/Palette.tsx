import { useState } from 'react';
import type { ApiError } from '../lib/api';
import type { Component } from '../lib/types';
import { isAbsent } from '../components/feedback';
import { COMPONENT_MIME } from './EditorGraph';

/** What the palette's script step carries when dragged (no catalog component has this name). */
export const SCRIPT_STEP = '(script)';

/** Catalog components to drag onto the canvas (or add with Enter, for keyboard users). */
export function Palette({
  items,
  error,
  onAdd,
  onAddScript,
  disabled,
}: {
  items: Component[] | undefined;
  error: ApiError | undefined;
  onAdd(component: Component): void;
  onAddScript(): void;
  disabled: boolean;
}) {
  const [q, setQ] = useState('');
  const shown = items?.filter((c) => c.name.includes(q.toLowerCase()));
  return (
    <aside className="palette" aria-labelledby="palette-title">
      <h3 id="palette-title">Components</h3>
      <label>
        <span className="visually-hidden">Filter components</span>
        <input type="search" placeholder="Filter" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      <button
        type="button"
        className="palette-item palette-script"
        draggable={!disabled}
        disabled={disabled}
        data-component={SCRIPT_STEP}
        title="A shell script step (run:) — drag onto the canvas, or press Enter to add"
        onDragStart={(e) => {
          e.dataTransfer.setData(COMPONENT_MIME, SCRIPT_STEP);
          e.dataTransfer.effectAllowed = 'copy';
        }}
        onClick={onAddScript}
      >
        <span className="palette-name">Script step</span>
        <span className="muted">run:</span>
      </button>
      {!items && !error && <p className="muted">Loading the catalog…</p>}
      {error && (
        <p className="muted">
          {isAbsent(error) ? 'No component catalog on this server yet.' : error.message}
        </p>
      )}
      <ul>
        {shown?.map((c) => (
          <li key={c.name}>
            <button
              type="button"
              className="palette-item"
              draggable={!disabled}
              disabled={disabled}
              data-component={c.name}
              title={
                c.description
                  ? `${c.description} — drag onto the canvas, or press Enter to add`
                  : 'Drag onto the canvas, or press Enter to add'
              }
              onDragStart={(e) => {
                e.dataTransfer.setData(COMPONENT_MIME, c.name);
                e.dataTransfer.effectAllowed = 'copy';
              }}
              onClick={() => onAdd(c)}
            >
              <span className="palette-name">{c.name}</span>
              <span className="muted">v{c.version}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}
