import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { when } from '../lib/format';
import type { Page } from '../lib/types';
import { useApi } from '../lib/use-api';
import { ErrorBox, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useAction } from '../settings/use-action';
import { TableHead } from '../components/TableHead';

interface UserView {
  name: string;
  email: string;
  isAdmin: boolean;
  disabled: boolean;
  createdAt: string;
}

/** Administrators: every user; create one (then give them a token), disable or enable one. */
export function UsersPage() {
  const list = useApi<Page<UserView>>('/users?limit=100');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const action = useAction();

  async function create(e: FormEvent) {
    e.preventDefault();
    if (await action.run(() => api('/users', { method: 'POST', body: { name, email, isAdmin } }))) {
      setName('');
      setEmail('');
      setIsAdmin(false);
      list.reload();
    }
  }
  const toggle = (u: UserView) =>
    action
      .run(() => api(`/users/${enc(u.name)}`, { method: 'PATCH', body: { disabled: !u.disabled } }))
      .then(list.reload);
  return (
    <div className="page">
      <h1>Users</h1>
      <form className="card inline-form" onSubmit={create} aria-label="Create a user">
        <div className="fields">
          <label>
            User name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label>
            Email
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </label>
          <label className="checkbox">
            <input type="checkbox" checked={isAdmin} onChange={(e) => setIsAdmin(e.target.checked)} />{' '}
            Administrator
          </label>
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Create user
          </button>
        </div>
      </form>
      {action.error && <ProblemBox error={action.error} />}
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading users" />}
      {list.data && (
        <table className="table">
          <TableHead columns={['Name', 'Email', 'Role', 'Created', 'Actions']} />
          <tbody>
            {list.data.items.map((u) => (
              <tr key={u.name} data-user={u.name}>
                <td>{u.name}</td>
                <td>{u.email}</td>
                <td>
                  {u.isAdmin ? 'administrator' : 'user'}
                  {u.disabled ? ' (disabled)' : ''}
                </td>
                <td>{when(u.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={action.busy}
                    onClick={() => toggle(u)}
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
