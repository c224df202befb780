import { useState } from 'react';
import { enc } from '../lib/api';
import { useRoute } from '../lib/capabilities';
import { when } from '../lib/format';
import { can } from '../lib/roles';
import type { Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { Empty, ErrorBox, isAbsent, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useProject } from '../pages/ProjectLayout';
import { DeleteButton } from './ConfirmButton';
import { SecretForm } from './SecretForm';
import { useAction } from './use-action';

interface SecretView {
  name: string;
  createdAt?: string;
  updatedAt?: string;
}

/** Project secrets: names and dates for everyone; add, replace (write-only) and delete for maintainers. */
export function SecretsPage() {
  const project = useProject();
  const offered = useRoute('GET', '/projects/{project}/secrets');
  const list = useApi<Page<SecretView>>(offered ? `/projects/${project.name}/secrets?limit=100` : null);
  const editable = can(project.role, 'write-secrets');
  const [replacing, setReplacing] = useState<string>();
  const remove = useAction();

  return (
    <section aria-labelledby="secrets-title">
      <h2 id="secrets-title">Secrets</h2>
      <p className="muted">
        Values are write-only: once saved, nobody can read them here or through the API.
      </p>
      {offered === false || isAbsent(list.error) ? (
        <Empty>This server does not offer secrets yet.</Empty>
      ) : (
        list.error && <ErrorBox error={list.error} onRetry={list.reload} />
      )}
      {list.loading && !list.data && <Loading what="Loading secrets" />}
      {editable && offered && <SecretForm project={project.name} onDone={list.reload} />}
      {remove.error && <ProblemBox error={remove.error} />}
      {list.data &&
        (list.data.items.length === 0 ? (
          <Empty>No secrets.</Empty>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Updated</th>
                {editable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => (
                <tr key={s.name} data-secret={s.name}>
                  <td className="mono">{s.name}</td>
                  <td>{when(s.updatedAt ?? s.createdAt)}</td>
                  {editable && (
                    <td>
                      {replacing === s.name ? (
                        <SecretForm
                          project={project.name}
                          name={s.name}
                          onDone={() => {
                            setReplacing(undefined);
                            list.reload();
                          }}
                        />
                      ) : (
                        <span className="row-actions">
                          <button
                            type="button"
                            className="btn btn-small"
                            onClick={() => setReplacing(s.name)}
                          >
                            Replace value
                          </button>
                          <DeleteButton
                            name={s.name}
                            path={`/projects/${enc(project.name)}/secrets/${enc(s.name)}`}
                            action={remove}
                            onDeleted={list.reload}
                          />
                        </span>
                      )}
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
