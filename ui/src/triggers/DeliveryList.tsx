import { Link } from 'react-router';
import { enc } from '../lib/api';
import { when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { ErrorBox } from '../components/feedback';
import { TableHead } from '../components/TableHead';

interface Delivery {
  id: string;
  at: string;
  provider: string | null;
  event: string | null;
  delivery: string | null;
  status: number;
  outcome: 'triggered' | 'ignored' | 'rejected';
  reason: string;
  headers: Record<string, string>;
  body: { bytes: number; digest: string; excerpt: string };
  runId: string | null;
}

/** The last deliveries to a pipeline's webhook, accepted or rejected, each with its answer and why. */
export function DeliveryList({ project, pipeline }: { project: string; pipeline: string }) {
  const list = useApi<{ items: Delivery[] }>(
    `/projects/${enc(project)}/pipelines/${enc(pipeline)}/hook/deliveries`,
  );
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  const items = list.data?.items ?? [];
  return (
    <>
      <div className="row-actions">
        <h4>Last deliveries</h4>
        <button type="button" className="btn btn-small btn-quiet" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {items.length === 0 ? (
        <p className="muted">No deliveries yet.</p>
      ) : (
        <table className="table" aria-label="Webhook deliveries">
          <TableHead columns={['When', 'Event', 'Answer', 'Outcome', 'Reason']} />
          <tbody>
            {items.map((d) => (
              <DeliveryRow key={d.id} project={project} d={d} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function DeliveryRow({ project, d }: { project: string; d: Delivery }) {
  return (
    <tr data-outcome={d.outcome}>
      <td>{when(d.at)}</td>
      <td className="mono">
        {d.provider ?? 'unsigned'}
        {d.event ? ` · ${d.event}` : ''}
      </td>
      <td className="mono">{d.status}</td>
      <td>
        <span className={`delivery-${d.outcome}`}>{d.outcome}</span>
      </td>
      <td>
        {d.reason}
        {d.runId && (
          <>
            {' '}
            <Link to={`/projects/${enc(project)}/runs/${d.runId}`}>run</Link>
          </>
        )}
        <details>
          <summary>Request</summary>
          <dl className="delivery-facts">
            <dt>Body</dt>
            <dd className="mono wrap">
              {d.body.bytes} bytes, {d.body.digest}
            </dd>
            <dt>Excerpt</dt>
            <dd>
              <pre className="wrap">{d.body.excerpt}</pre>
            </dd>
            <dt>Headers</dt>
            <dd>
              <pre className="wrap">
                {Object.entries(d.headers)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join('\n')}
              </pre>
            </dd>
          </dl>
        </details>
      </td>
    </tr>
  );
}
