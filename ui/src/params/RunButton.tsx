import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, enc } from '../lib/api';
import type { PlanParam, RunSummary } from '../lib/types';
import { ErrorBox } from '../components/feedback';
import { RunDialog } from './RunDialog';

/**
 * Run: a pipeline without params or memoized steps starts at once; otherwise a form asks for the
 * params and whether to reuse cached steps first.
 */
export function RunButton({
  project,
  pipeline,
  params,
  memoized = false,
  disabled,
  title,
}: {
  project: string;
  pipeline: string;
  params: PlanParam[];
  memoized?: boolean;
  disabled: boolean;
  title?: string;
}) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const asks = params.length > 0 || memoized;

  async function start() {
    if (asks) return setOpen(true);
    setBusy(true);
    setError(undefined);
    try {
      const run = await api<RunSummary>(`/projects/${enc(project)}/pipelines/${enc(pipeline)}/runs`, {
        method: 'POST',
        body: {},
      });
      navigate(`/projects/${project}/runs/${run.id}`);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" className="btn" disabled={disabled || busy} onClick={start} title={title}>
        {asks ? 'Run…' : 'Run'}
      </button>
      {open && (
        <RunDialog project={project} pipeline={pipeline} params={params} onClose={() => setOpen(false)} />
      )}
      {error && <ErrorBox error={error} />}
    </>
  );
}
