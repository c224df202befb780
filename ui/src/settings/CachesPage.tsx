import { Link } from 'react-router';
import { enc } from '../lib/api';
import { useRoute } from '../lib/capabilities';
import { byteSize, when } from '../lib/format';
import { can } from '../lib/roles';
import { useApi } from '../lib/use-api';
import { Empty, ErrorBox, isAbsent, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useProject } from '../pages/ProjectLayout';
import { DeleteButton } from './ConfirmButton';
import { useAction } from './use-action';

interface CacheView {
  id: string;
  scope: string;
  key: string;
  digest: string;
  size: number;
  runId: string | null;
  createdAt: string;
  lastUsedAt: string;
}

interface CachePage {
  items: CacheView[];
  totalSize: number;
  quota: number;
  nextCursor: string | null;
}

/** Step caches (`cache:` of a step): everyone sees them, roles that may delete artifacts delete them. */
export function CachesPage() {
  const project = useProject();
  const offered = useRoute('GET', '/projects/{project}/caches');
  const list = useApi<CachePage>(offered ? `/projects/${enc(project.name)}/caches?limit=200` : null);
  const deletable = can(project.role, 'delete-artifacts');
  const remove = useAction();

  return (
    <section aria-labelledby="caches-title">
      <h2 id="caches-title">Caches</h2>
      <p className="muted">
        Saved by steps with <code>cache:</code>, per branch, most recently used first. A deleted cache is
        saved anew by the next run with its key.
        {list.data && ` ${byteSize(list.data.totalSize)} of ${byteSize(list.data.quota)} used.`}
      </p>
      {offered === false || isAbsent(list.error) ? (
        <Empty>This server does not offer step caches.</Empty>
      ) : (
        list.error && <ErrorBox error={list.error} onRetry={list.reload} />
      )}
      {list.loading && !list.data && <Loading what="Loading caches" />}
      {remove.error && <ProblemBox error={remove.error} />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <Empty>No caches.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Branch</th>
                <th scope="col">Size</th>
                <th scope="col">Last used</th>
                <th scope="col">Created by</th>
                {deletable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.id} data-cache={c.key}>
                  <td className="mono wrap">{c.key}</td>
                  <td className="mono">{c.scope}</td>
                  <td>{byteSize(c.size)}</td>
                  <td>{when(c.lastUsedAt)}</td>
                  <td>
                    {c.runId ? (
                      <Link to={`/projects/${project.name}/runs/${c.runId}`}>run {c.runId.slice(0, 8)}</Link>
                    ) : (
                      <span className="muted">—</span>
                    )}{' '}
                    {when(c.createdAt)}
                  </td>
                  {deletable && (
                    <td>
                      <DeleteButton
                        name={c.key}
                        path={`/projects/${enc(project.name)}/caches/${enc(c.id)}`}
                        action={remove}
                        onDeleted={list.reload}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
