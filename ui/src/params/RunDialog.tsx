import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, enc } from '../lib/api';
import type { PlanParam, RunSummary } from '../lib/types';
import { ErrorBox } from '../components/feedback';
import { initialParamValues, ParamFields } from './ParamFields';

/**
 * A modal form that starts a run of a pipeline's latest version with the params the user fills
 * in (prefilled with the defaults, or with an earlier run's params for "Run again").
 */
export function RunDialog({
  project,
  pipeline,
  params,
  previous,
  onClose,
}: {
  project: string;
  pipeline: string;
  params: PlanParam[];
  previous?: Record<string, unknown>;
  onClose(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const navigate = useNavigate();
  const [values, setValues] = useState(() => initialParamValues(params, previous));
  const [noCache, setNoCache] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // an empty field means "not given": the default applies, a required param is reported missing
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
      const run = await api<RunSummary>(`/projects/${enc(project)}/pipelines/${enc(pipeline)}/runs`, {
        method: 'POST',
        body: noCache ? { params: body, noCache: true } : { params: body },
      });
      navigate(`/projects/${project}/runs/${run.id}`);
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  }

  const fieldErrors = error?.errors ?? [];
  const unplaced = fieldErrors.filter((e) => !params.some((p) => e.path === `params.${p.name}`));
  return (
    <dialog ref={dialog} className="run-dialog" aria-labelledby="run-dialog-title" onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="run-dialog-title">Run {pipeline}</h2>
        {params.length === 0 ? (
          <p className="muted">This pipeline takes no params.</p>
        ) : (
          <ParamFields
            params={params}
            values={values}
            errors={fieldErrors}
            onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
          />
        )}
        <label className="checkbox">
          <input type="checkbox" checked={noCache} onChange={(e) => setNoCache(e.target.checked)} />
          Don’t reuse cached steps (memoized steps run again)
        </label>
        {error && (unplaced.length > 0 || fieldErrors.length === 0) && (
          <ErrorBox
            error={
              unplaced.length ? new ApiError(error.status, unplaced.map((u) => u.message).join('; ')) : error
            }
          />
        )}
        <div className="buttons">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Starting…' : 'Start run'}
          </button>
          <button type="button" className="btn" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
