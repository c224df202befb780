import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../lib/api';
import { duration, when } from '../lib/format';
import { can, type Role } from '../lib/roles';
import { FINISHED, type PlanNode, type RunSummary, type RunView } from '../lib/types';
import { ErrorBox } from '../components/feedback';
import { StatusBadge } from '../components/StatusBadge';
import { RunAgainButton } from '../params/RunAgainButton';
import { ApprovalForm } from './ApprovalForm';
import { runSentence, waitingApprovals } from './run-focus';

/**
 * The run's banner: status (with "cancelling" the moment Cancel is clicked), what the run waits
 * for and on whom, the approval forms of waiting gates, and cancel / rerun / run again.
 */
export function RunBanner({
  run,
  nodes,
  project,
  role,
  base,
}: {
  run: RunView;
  nodes: PlanNode[];
  project: string;
  role: Role;
  base: string;
}) {
  const navigate = useNavigate();
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const finished = FINISHED.includes(run.status);
  const shownCancelling = cancelling && !finished;

  async function cancel() {
    setCancelling(true); // shown before the request leaves: the user sees the click took
    setError(undefined);
    try {
      await api(`${base}/cancel`, { method: 'POST', body: {} });
    } catch (err) {
      setCancelling(false);
      setError(err as ApiError);
    }
  }
  async function rerun() {
    setBusy(true);
    setError(undefined);
    try {
      const next = await api<RunSummary>(`${base}/rerun`, { method: 'POST', body: { from: 'failed' } });
      navigate(`/projects/${project}/runs/${next.id}`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  const approvals = shownCancelling ? [] : waitingApprovals(run, nodes);
  return (
    <section className={`run-banner banner-${shownCancelling ? 'cancelling' : run.status}`} aria-label="Run">
      <div className="run-head">
        <h2>
          <Link to={`/projects/${project}/pipelines/${run.pipeline}`}>{run.pipeline}</Link> #{run.number}
        </h2>
        <StatusBadge status={shownCancelling ? 'cancelling' : run.status} />
        <span className="muted">
          {run.trigger} · {when(run.createdAt)} · {duration(run.startedAt, run.finishedAt) || 'not started'} ·{' '}
          <code className="workflow-id" title="Temporal workflow id">
            {run.workflowId}
          </code>
        </span>
        <div className="run-actions">
          {!finished && can(role, 'cancel') && (
            <button type="button" className="btn btn-danger" disabled={shownCancelling} onClick={cancel}>
              {shownCancelling ? 'Cancelling…' : 'Cancel run'}
            </button>
          )}
          {finished && run.status !== 'succeeded' && can(role, 'run') && (
            <button type="button" className="btn" disabled={busy} onClick={rerun}>
              Rerun from failed
            </button>
          )}
          {finished && can(role, 'run') && (
            <RunAgainButton project={project} pipeline={run.pipeline} params={run.params} />
          )}
          <a
            className="btn btn-quiet"
            href={run.links.temporal}
            target="_blank"
            rel="noreferrer"
            title={`Temporal workflow ${run.workflowId}`}
          >
            Temporal UI ↗
          </a>
        </div>
      </div>
      <p className="run-sentence" role="status" aria-live="polite">
        {runSentence(run, nodes, shownCancelling)}
      </p>
      {run.error && <p className="step-error">{run.error}</p>}
      {can(role, 'approve') &&
        approvals.map((node) => (
          <ApprovalForm key={node.id} base={base} node={node} canApprove={can(role, 'approve')} />
        ))}
      {error && <ErrorBox error={error} />}
    </section>
  );
}
