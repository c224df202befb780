import { useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { useApi } from '../lib/use-api';
import { FINISHED, type Plan } from '../lib/types';
import { ErrorBox, Loading } from '../components/feedback';
import { StatusBadge } from '../components/StatusBadge';
import { useProject } from '../pages/ProjectLayout';
import { RunParams } from '../params/RunParams';
import { combinedStatus, RunGraph } from './RunGraph';
import { RunBanner } from './RunBanner';
import { focusStep } from './run-focus';
import { StepPanel } from './StepPanel';
import { CachedBadge } from './CacheFacts';
import { useRunEvents } from './use-run-events';

export function RunPage() {
  const project = useProject();
  const { runId } = useParams();
  const [generation, setGeneration] = useState(0);
  const { run, error } = useRunEvents(project.name, runId!, generation);
  const version = useApi<{ plan: Plan }>(
    run
      ? `/projects/${project.name}/pipelines/${encodeURIComponent(run.pipeline)}/versions/${run.pipelineVersion}`
      : null,
  );
  const [search] = useSearchParams();
  // a step the user picked (or a link to a log line named) stays; otherwise the panel follows the run
  const [picked, setPicked] = useState(search.get('step') ?? undefined);

  // durations of running and waiting steps count up while the run is live
  const [, setNow] = useState(0);
  const live = run !== undefined && !FINISHED.includes(run.status);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [live]);

  if (error && !run) return <ErrorBox error={error} onRetry={() => setGeneration((g) => g + 1)} />;
  if (!run) return <Loading what="Loading the run" />;
  const plan = version.data?.plan;
  const base = `/projects/${project.name}/runs/${run.id}`;
  const nodes = plan ? [...plan.nodes, ...plan.finally] : [];
  const stepIds = [...new Set(run.steps.map((s) => s.id))];
  const current = picked ?? focusStep(run.steps);
  const node = nodes.find((n) => n.id === current);

  return (
    <div className="run">
      <RunBanner run={run} nodes={nodes} project={project.name} role={project.role} base={base} />
      <RunParams params={run.params} />
      {version.error && <ErrorBox error={version.error} onRetry={version.reload} />}
      <div className="run-body">
        <div className="run-main">
          {plan ? (
            <RunGraph plan={plan} steps={run.steps} selected={current} onSelect={setPicked} />
          ) : (
            <Loading what="Loading the plan" />
          )}
          <nav className="step-list" aria-label="Steps">
            <ul>
              {stepIds.map((id) => {
                const legs = run.steps.filter((s) => s.id === id);
                const status = combinedStatus(legs);
                return (
                  <li key={id}>
                    <button
                      type="button"
                      className="step-item"
                      aria-current={id === current ? 'true' : undefined}
                      data-step={id}
                      onClick={() => setPicked(id)}
                    >
                      <span className="step-item-name">{id}</span>
                      <StatusBadge status={status} />
                      {legs.length > 0 && legs.every((l) => l.cached) && <CachedBadge />}
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
            initialLeg={search.get('leg') ?? undefined}
          />
        )}
      </div>
    </div>
  );
}
