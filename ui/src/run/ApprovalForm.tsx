import { useState, type FormEvent } from 'react';
import { api, ApiError, enc } from '../lib/api';
import type { PlanNode } from '../lib/types';
import { ErrorBox } from '../components/feedback';

/** Approve or reject a waiting approval step, with a comment; a role that cannot decide sees who can. */
export function ApprovalForm({
  base,
  node,
  canApprove,
}: {
  base: string;
  node: PlanNode;
  canApprove: boolean;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const approvers = node.approval?.approvers ?? [];
  if (!canApprove) {
    return (
      <p className="waiting-note">
        {node.id} waits for approval{approvers.length ? ` by ${approvers.join(', ')}` : ''}.
      </p>
    );
  }
  async function decide(decision: 'approve' | 'reject', e?: FormEvent) {
    e?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api(`${base}/steps/${enc(node.id)}/approval`, {
        method: 'POST',
        body: { decision, ...(comment ? { comment } : {}) },
      });
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }
  const id = `approval-comment-${node.id}`;
  return (
    <form className="approval" onSubmit={(e) => decide('approve', e)} aria-label={`Approval of ${node.id}`}>
      <p>
        <strong>{node.id}</strong> waits for a decision
        {approvers.length ? ` (approvers: ${approvers.join(', ')})` : ''}.
      </p>
      <label htmlFor={id}>Comment</label>
      <textarea id={id} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      <div className="buttons">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Approve
        </button>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={() => decide('reject')}>
          Reject
        </button>
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}
