import { Link } from 'react-router';
import { useApi } from '../lib/use-api';
import { can } from '../lib/roles';
import { when } from '../lib/format';
import type { Page, Pipeline, RunSummary } from '../lib/types';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { StatusBadge } from '../components/StatusBadge';
import { useProject } from './ProjectLayout';
import { TableHead } from '../components/TableHead';

export function PipelineList() {
  const project = useProject();
  const list = useApi<Page<Pipeline>>(`/projects/${project.name}/pipelines?limit=100`);
  return (
    <section aria-labelledby="pipelines-title">
      <div className="section-head">
        <h2 id="pipelines-title">Pipelines</h2>
        {can(project.role, 'write-pipelines') && (
          <Link className="btn btn-primary" to={`/projects/${project.name}/pipelines/new`}>
            New pipeline
          </Link>
        )}
      </div>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading pipelines" />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <Empty>No pipelines in this project yet.</Empty>
        ) : (
          <table className="table">
            <TableHead columns={['Name', 'Version', 'Updated']} />
            <tbody>
              {list.data.items.map((p) => (
                <tr key={p.name}>
                  <td>
                    <Link to={`/projects/${project.name}/pipelines/${p.name}`}>{p.name}</Link>
                  </td>
                  <td>v{p.version}</td>
                  <td>{when(p.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

export function RunList({ pipeline }: { pipeline?: string }) {
  const project = useProject();
  const query = pipeline ? `&pipeline=${encodeURIComponent(pipeline)}` : '';
  const list = useApi<Page<RunSummary>>(`/projects/${project.name}/runs?limit=50${query}`);
  return (
    <section aria-labelledby="runs-title">
      <div className="section-head">
        <h2 id="runs-title">Runs</h2>
        <button type="button" className="btn" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </div>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading runs" />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <Empty>No runs yet.</Empty>
        ) : (
          <table className="table">
            <TableHead columns={['Run', 'Status', 'Trigger', 'Started']} />
            <tbody>
              {list.data.items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/projects/${project.name}/runs/${r.id}`}>
                      {r.pipeline} #{r.number}
                    </Link>
                  </td>
                  <td>
                    <StatusBadge status={r.status} />
                  </td>
                  <td>{r.trigger}</td>
                  <td>{when(r.startedAt ?? r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
