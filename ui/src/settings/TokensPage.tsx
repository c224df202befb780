import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { when } from '../lib/format';
import { useSession } from '../lib/session';
import { useApi } from '../lib/use-api';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { ConfirmButton } from './ConfirmButton';
import { useAction } from './use-action';
import { TableHead } from '../components/TableHead';

interface TokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The signed-in user's API tokens: create one (its value shown this once), revoke one. */
export function TokensPage() {
  const { user } = useSession();
  const base = user ? `/users/${enc(user.name)}/tokens` : null;
  const list = useApi<{ items: TokenView[] }>(base);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const action = useAction();

  async function create(e: FormEvent) {
    e.preventDefault();
    await action.run(async () => {
      const t = await api<TokenView & { token: string }>(base!, { method: 'POST', body: { name } });
      setCreated({ name: t.name, token: t.token });
      setName('');
      list.reload();
    });
  }
  const live = list.data?.items.filter((t) => !t.revokedAt) ?? [];
  return (
    <div className="page">
      <h1>API tokens</h1>
      <p className="muted">Tokens act as {user?.name}. A token's value is shown once, when it is created.</p>
      <form className="card inline-form" onSubmit={create} aria-label="Create a token">
        <div className="fields">
          <label>
            Token name
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Create token
          </button>
        </div>
        {action.error && <ProblemBox error={action.error} />}
      </form>
      {created && (
        <div className="token-once" role="status">
          <p>
            <strong>{created.name}</strong>: copy this token now, it will not be shown again.
          </p>
          <code className="mono" aria-label="New token">
            {created.token}
          </code>
          <button type="button" className="btn btn-small" onClick={() => setCreated(undefined)}>
            Done
          </button>
        </div>
      )}
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading tokens" />}
      {list.data && live.length === 0 && <Empty>No tokens.</Empty>}
      {live.length > 0 && (
        <table className="table">
          <TableHead columns={['Name', 'Starts with', 'Created', 'Last used', 'Actions']} />
          <tbody>
            {live.map((t) => (
              <tr key={t.id} data-token={t.name}>
                <td>{t.name}</td>
                <td className="mono">{t.prefix}…</td>
                <td>{when(t.createdAt)}</td>
                <td>{t.lastUsedAt ? when(t.lastUsedAt) : 'never'}</td>
                <td>
                  <ConfirmButton
                    label="Revoke"
                    confirm={`Revoke ${t.name}`}
                    onConfirm={() =>
                      action.run(() => api(`${base}/${enc(t.id)}`, { method: 'DELETE' })).then(list.reload)
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
