import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, enc } from '../lib/api';
import type { PlanParam, RunSummary } from '../lib/types';
import { ErrorBox } from '../components/feedback';
import { RunDialog } from './RunDialog';

/** Run: a pipeline without params starts at once; one with params asks for them first. */
export function RunButton({
  project,
  pipeline,
  params,
  disabled,
  title,
}: {
  project: string;
  pipeline: string;
  params: PlanParam[];
  disabled: boolean;
  title?: string;
}) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  async function start() {
    if (params.length) return setOpen(true);
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
        {params.length ? 'Run…' : 'Run'}
      </button>
      {open && (
        <RunDialog project={project} pipeline={pipeline} params={params} onClose={() => setOpen(false)} />
      )}
      {error && <ErrorBox error={error} />}
    </>
  );
}
