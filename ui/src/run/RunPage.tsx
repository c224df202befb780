import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError } from '../lib/api';
import { can } from '../lib/roles';
import { duration, when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { FINISHED, type Plan, type RunSummary } from '../lib/types';
import { ErrorBox, Loading } from '../components/feedback';
import { StatusBadge } from '../components/StatusBadge';
import { useProject } from '../pages/ProjectLayout';
import { combinedStatus, RunGraph } from './RunGraph';
import { StepPanel } from './StepPanel';
import { useRunEvents } from './use-run-events';
import { RunAgainButton } from '../params/RunAgainButton';
import { RunParams } from '../params/RunParams';

export function RunPage() {
  const project = useProject();
  const { runId } = useParams();
  const navigate = useNavigate();
  const [generation, setGeneration] = useState(0);
  const { run, error } = useRunEvents(project.name, runId!, generation);
  const version = useApi<{ plan: Plan }>(
    run
      ? `/projects/${project.name}/pipelines/${encodeURIComponent(run.pipeline)}/versions/${run.pipelineVersion}`
      : null,
  );
  const [search] = useSearchParams();
  // a link to a log line names its step (and matrix leg): that step is shown
  const [selected, setSelected] = useState(search.get('step') ?? undefined);
  const [actionError, setActionError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  // durations of running and waiting steps count up while the run is live
  const [, setNow] = useState(0);
  const live = run !== undefined && !FINISHED.includes(run.status);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);

  // the step shown first (a waiting, failed or running one) stays shown as the run moves on
  const auto =
    run?.steps.find((s) => ['waiting', 'failed', 'running'].includes(s.status))?.id ?? run?.steps[0]?.id;
  useEffect(() => {
    if (selected === undefined && auto !== undefined) setSelected(auto);
  }, [selected, auto]);

  if (error && !run) return <ErrorBox error={error} onRetry={() => setGeneration((g) => g + 1)} />;
  if (!run) return <Loading what="Loading the run" />;
  const plan = version.data?.plan;
  const base = `/projects/${project.name}/runs/${run.id}`;
  const finished = FINISHED.includes(run.status);
  const nodes = plan ? [...plan.nodes, ...plan.finally] : [];
  const stepIds = [...new Set(run.steps.map((s) => s.id))];
  const current = selected ?? auto;
  const node = nodes.find((n) => n.id === current);

  async function act(path: string, body: unknown, then?: (r: RunSummary) => void) {
    setBusy(true);
    setActionError(undefined);
    try {
      const result = await api<RunSummary>(`${base}/${path}`, { method: 'POST', body });
      then?.(result);
    } catch (err) {
      setActionError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="run">
      <div className="run-head">
        <h2>
          <Link to={`/projects/${project.name}/pipelines/${run.pipeline}`}>{run.pipeline}</Link> #{run.number}
        </h2>
        <StatusBadge status={run.status} />
        <span className="muted">
          {run.trigger} · {when(run.createdAt)} · {duration(run.startedAt, run.finishedAt) || 'not started'}
        </span>
        <div className="run-actions">
          {!finished && can(project.role, 'cancel') && (
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy}
              onClick={() => act('cancel', {})}
            >
              Cancel run
            </button>
          )}
          {finished && run.status !== 'succeeded' && can(project.role, 'run') && (
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() =>
                act('rerun', { from: 'failed' }, (r) => navigate(`/projects/${project.name}/runs/${r.id}`))
              }
            >
              Rerun from failed
            </button>
          )}
          {finished && can(project.role, 'run') && (
            <RunAgainButton project={project.name} pipeline={run.pipeline} params={run.params} />
          )}
          <a className="btn btn-quiet" href={run.links.temporal} target="_blank" rel="noreferrer">
            Temporal UI ↗
          </a>
        </div>
      </div>
      {run.error && <p className="step-error">{run.error}</p>}
      <RunParams params={run.params} />
      {actionError && <ErrorBox error={actionError} />}
      {version.error && <ErrorBox error={version.error} onRetry={version.reload} />}
      <div className="run-body">
        <div className="run-main">
          {plan ? (
            <RunGraph plan={plan} steps={run.steps} selected={current} onSelect={setSelected} />
          ) : (
            <Loading what="Loading the plan" />
          )}
          <nav className="step-list" aria-label="Steps">
            <ul>
              {stepIds.map((id) => {
                const status = combinedStatus(run.steps.filter((s) => s.id === id));
                return (
                  <li key={id}>
                    <button
                      type="button"
                      className="step-item"
                      aria-current={id === current ? 'true' : undefined}
                      data-step={id}
                      onClick={() => setSelected(id)}
                    >
                      <span className="step-item-name">{id}</span>
                      <StatusBadge status={status} />
                    </button>
                  </li>
                );
              })}
            </ul>
          </nav>
        </div>
        {node && (
          <StepPanel
            key={node.id}
            base={base}
            node={node}
            legs={run.steps.filter((s) => s.id === node.id)}
            canApprove={can(project.role, 'approve')}
            onChanged={() => undefined}
            initialLeg={search.get('leg') ?? undefined}
          />
        )}
      </div>
    </div>
  );
}
