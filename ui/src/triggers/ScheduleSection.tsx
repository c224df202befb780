import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { ErrorBox } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { ConfirmButton } from '../settings/ConfirmButton';
import { useAction } from '../settings/use-action';

interface ScheduleView {
  id: string;
  origin: 'document' | 'api';
  cron: string;
  timezone: string;
  overlap: string;
  paused: boolean;
  nextRunAt?: string[];
  recentRuns?: { scheduledAt: string; startedAt: string }[];
  missing?: boolean;
  links: { temporal: string };
}

/**
 * A pipeline's schedules: those of its `on.schedule` and those added here; pause, resume,
 * trigger now; a schedule added here can be removed (the document's change with the document).
 */
export function ScheduleSection({
  project,
  pipeline,
  editable,
  canRun,
}: {
  project: string;
  pipeline: string;
  editable: boolean;
  canRun: boolean;
}) {
  const base = `/projects/${enc(project)}/pipelines/${enc(pipeline)}/schedules`;
  const list = useApi<{ items: ScheduleView[] }>(base);
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState('UTC');
  const action = useAction();
  const act = (path: string, method = 'POST') =>
    action.run(() => api(path, { method, body: method === 'POST' ? {} : undefined })).then(list.reload);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (await action.run(() => api(base, { method: 'POST', body: { cron, timezone } }))) {
      setCron('');
      list.reload();
    }
  }
  return (
    <section aria-labelledby="schedules-title">
      <h3 id="schedules-title">Schedules</h3>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.data?.items.length === 0 && <p className="muted">No schedules.</p>}
      <ul className="plain-list" aria-label="Schedules">
        {list.data?.items.map((s) => (
          <li key={s.id} data-schedule={s.cron}>
            <code>{s.cron}</code> {s.timezone} · overlap {s.overlap} ·{' '}
            {s.origin === 'document' ? 'from on.schedule' : 'added here'} · {s.paused ? 'paused' : 'active'}
            {s.nextRunAt?.[0] && <span className="muted"> · next {when(s.nextRunAt[0])}</span>}
            {s.recentRuns?.length ? (
              <span className="muted"> · last {when(s.recentRuns[s.recentRuns.length - 1]!.startedAt)}</span>
            ) : null}
            <span className="row-actions">
              {editable && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => act(`${base}/${s.id}/${s.paused ? 'unpause' : 'pause'}`)}
                >
                  {s.paused ? 'Resume' : 'Pause'}
                </button>
              )}
              {canRun && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => act(`${base}/${s.id}/trigger`)}
                >
                  Run now
                </button>
              )}
              {editable && s.origin === 'api' && (
                <ConfirmButton
                  label="Remove"
                  confirm={`Remove ${s.cron}`}
                  onConfirm={() => act(`${base}/${s.id}`, 'DELETE')}
                />
              )}
            </span>
          </li>
        ))}
      </ul>
      {editable && (
        <form className="inline-form" onSubmit={add} aria-label="Add a schedule">
          <div className="fields">
            <label>
              Cron
              <input
                value={cron}
                onChange={(e) => setCron(e.target.value)}
                required
                placeholder="0 3 * * *"
              />
            </label>
            <label>
              Time zone
              <input value={timezone} onChange={(e) => setTimezone(e.target.value)} required />
            </label>
            <button type="submit" className="btn" disabled={action.busy}>
              Add schedule
            </button>
          </div>
        </form>
      )}
      {action.error && <ProblemBox error={action.error} />}
    </section>
  );
}
