const LABELS: Record<string, string> = { timed_out: 'timed out' };

/** A status as colour and text (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {LABELS[status] ?? status}
    </span>
  );
}
