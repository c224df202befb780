import { useState } from 'react';
import { api, enc } from '../lib/api';
import { useRoute } from '../lib/capabilities';
import { can } from '../lib/roles';
import type { Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Empty, ErrorBox, isAbsent, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useProject } from '../pages/ProjectLayout';
import { ConfirmButton } from './ConfirmButton';
import { ServiceForm } from './ServiceForm';
import { useAction } from './use-action';

interface ServiceView {
  name: string;
  type: string;
  url?: string;
  credentialsSet?: boolean;
}

interface CheckResult {
  ok: boolean;
  status?: number;
  latencyMs?: number;
  detail?: string;
}

/** Third-party services steps can use: maintainers register, edit, test and delete them. */
export function ServicesPage() {
  const project = useProject();
  const offered = useRoute('GET', '/projects/{project}/services');
  const list = useApi<Page<ServiceView>>(offered ? `/projects/${project.name}/services?limit=100` : null);
  const editable = can(project.role, 'write-services');
  const [editing, setEditing] = useState<string>();
  const [checks, setChecks] = useState<Record<string, CheckResult>>({});
  const action = useAction();
  const path = (s: ServiceView) => `/projects/${enc(project.name)}/services/${enc(s.name)}`;

  const check = (s: ServiceView) =>
    action.run(async () => {
      const result = await api<CheckResult>(`${path(s)}/check`, { method: 'POST', body: {} });
      setChecks((c) => ({ ...c, [s.name]: result }));
    });
  return (
    <section aria-labelledby="services-title">
      <h2 id="services-title">Services</h2>
      {offered === false || isAbsent(list.error) ? (
        <Empty>This server does not offer services yet.</Empty>
      ) : (
        list.error && <ErrorBox error={list.error} onRetry={list.reload} />
      )}
      {list.loading && !list.data && <Loading what="Loading services" />}
      {editable && offered && <ServiceForm project={project.name} onDone={list.reload} />}
      {action.error && <ProblemBox error={action.error} />}
      {list.data?.items.length === 0 && <Empty>No services registered.</Empty>}
      {!!list.data?.items.length && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">URL</th>
              <th scope="col">Credentials</th>
              {editable && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((s) => (
              <tr key={s.name} data-service={s.name}>
                <td>{s.name}</td>
                <td>{s.type}</td>
                <td className="mono">{s.url ?? '—'}</td>
                <td>{s.credentialsSet === undefined ? '—' : s.credentialsSet ? 'set' : 'none'}</td>
                {editable && (
                  <td>
                    {editing === s.name ? (
                      <ServiceForm
                        project={project.name}
                        name={s.name}
                        onDone={() => {
                          setEditing(undefined);
                          list.reload();
                        }}
                      />
                    ) : (
                      <span className="row-actions">
                        <button type="button" className="btn btn-small" onClick={() => setEditing(s.name)}>
                          Edit
                        </button>
                        <button type="button" className="btn btn-small" onClick={() => check(s)}>
                          Test
                        </button>
                        <ConfirmButton
                          label="Delete"
                          confirm={`Delete ${s.name}`}
                          onConfirm={() =>
                            action.run(() => api(path(s), { method: 'DELETE' })).then(list.reload)
                          }
                        />
                      </span>
                    )}
                    {checks[s.name] && (
                      <span className="muted" role="status">
                        {checks[s.name]!.ok ? 'reachable' : 'not reachable'}
                        {checks[s.name]!.detail ? `: ${checks[s.name]!.detail}` : ''}
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
