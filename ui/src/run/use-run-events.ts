import { useEffect, useState } from 'react';
import { followEvents } from '../lib/sse';
import type { RunSummary, RunView, StepView } from '../lib/types';

/** The run kept live by its events stream: a snapshot, then step and run changes as they happen. */
export function useRunEvents(project: string, runId: string, generation: number) {
  const [run, setRun] = useState<RunView>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    setError(undefined);
    return followEvents(
      `/projects/${encodeURIComponent(project)}/runs/${encodeURIComponent(runId)}/events`,
      (message) => {
        const data = JSON.parse(message.data || '{}');
        if (message.event === 'snapshot') setRun(data as RunView);
        else if (message.event === 'run') setRun((r) => r && { ...r, ...(data as RunSummary) });
        else if (message.event === 'step') {
          const step = data as StepView;
          setRun((r) => {
            if (!r) return r;
            // a step's first row replaces its "pending" placeholder (matrixKey '')
            const others = r.steps.filter(
              (s) => !(s.id === step.id && (s.matrixKey === step.matrixKey || s.status === 'pending')),
            );
            const at = r.steps.findIndex((s) => s.id === step.id);
            const steps = [...others];
            steps.splice(at < 0 ? steps.length : Math.min(at, steps.length), 0, step);
            return { ...r, steps: steps.sort((a, b) => order(r, a, b)) };
          });
        }
      },
      { onError: setError },
    );
  }, [project, runId, generation]);
  return { run, error };
}

function order(run: RunView, a: StepView, b: StepView): number {
  const ids = [...new Set(run.steps.map((s) => s.id))];
  return ids.indexOf(a.id) - ids.indexOf(b.id) || a.matrixKey.localeCompare(b.matrixKey);
}
