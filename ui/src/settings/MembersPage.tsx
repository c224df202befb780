import { api, enc } from '../lib/api';
import { can, ROLES, type Role } from '../lib/roles';
import type { Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { ErrorBox, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useProject } from '../pages/ProjectLayout';
import { ConfirmButton } from './ConfirmButton';
import { MemberForm } from './MemberForm';
import { useAction } from './use-action';

interface MemberView {
  member: string;
  kind: string;
  name: string;
  role: Role;
}

/** Who may do what in the project; an owner adds members, changes roles and removes members. */
export function MembersPage() {
  const project = useProject();
  const list = useApi<Page<MemberView>>(`/projects/${project.name}/members?limit=100`);
  const manage = can(project.role, 'manage-members');
  const change = useAction();
  const path = (m: MemberView) => `/projects/${enc(project.name)}/members/${enc(m.member)}`;

  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {manage && <MemberForm project={project.name} onDone={list.reload} />}
      {change.error && <ProblemBox error={change.error} />}
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading members" />}
      {list.data && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Kind</th>
              <th scope="col">Role</th>
              {manage && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((m) => (
              <tr key={m.member} data-member={m.member}>
                <td>{m.name}</td>
                <td>{m.kind}</td>
                <td>
                  {manage ? (
                    <select
                      aria-label={`Role of ${m.name}`}
                      value={m.role}
                      disabled={change.busy}
                      onChange={async (e) => {
                        const role = e.target.value;
                        if (await change.run(() => api(path(m), { method: 'PUT', body: { role } })))
                          list.reload();
                      }}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                {manage && (
                  <td>
                    <ConfirmButton
                      label="Remove"
                      confirm={`Remove ${m.name}`}
                      disabled={change.busy}
                      onConfirm={async () => {
                        if (await change.run(() => api(path(m), { method: 'DELETE' }))) list.reload();
                      }}
                    />
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
