import { useState } from 'react';
import { api } from '../lib/api';

/** A destructive button that asks once more in place ("Delete" → "Really delete x?"). */
export function ConfirmButton({
  label,
  confirm,
  disabled,
  onConfirm,
}: {
  label: string;
  confirm: string;
  disabled?: boolean;
  onConfirm(): void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-small" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <button type="button" className="btn btn-small btn-danger" onClick={() => onConfirm()}>
        {confirm}
      </button>
      <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

/** "Delete" with its confirmation: sends DELETE to `path` through `action`, then `onDeleted` when it succeeded. */
export function DeleteButton({
  name,
  path,
  action,
  onDeleted,
}: {
  name: string;
  path: string;
  action: { busy: boolean; run(action: () => Promise<unknown>): Promise<boolean> };
  onDeleted(): void;
}) {
  return (
    <ConfirmButton
      label="Delete"
      confirm={`Delete ${name}`}
      disabled={action.busy}
      onConfirm={async () => {
        if (await action.run(() => api(path, { method: 'DELETE' }))) onDeleted();
      }}
    />
  );
}
