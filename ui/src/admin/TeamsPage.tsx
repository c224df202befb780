import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { useApi } from '../lib/use-api';
import { ErrorBox, Loading } from '../components/feedback';
import { ProblemBox } from '../components/ProblemBox';
import { useAction } from '../settings/use-action';

interface TeamView {
  name: string;
  members: string[];
}

/** Administrators: teams (granted project roles as `team:<name>`) and who is in them. */
export function TeamsPage() {
  const list = useApi<{ items: TeamView[] }>('/teams?limit=100');
  const [name, setName] = useState('');
  const [adding, setAdding] = useState<Record<string, string>>({});
  const action = useAction();
  const member = (team: string, user: string) => `/teams/${enc(team)}/members/${enc(user)}`;

  async function create(e: FormEvent) {
    e.preventDefault();
    if (await action.run(() => api('/teams', { method: 'POST', body: { name } }))) {
      setName('');
      list.reload();
    }
  }
  async function add(e: FormEvent, team: string) {
    e.preventDefault();
    const user = (adding[team] ?? '').trim();
    if (await action.run(() => api(member(team, user), { method: 'PUT', body: {} }))) {
      setAdding((a) => ({ ...a, [team]: '' }));
      list.reload();
    }
  }
  return (
    <div className="page">
      <h1>Teams</h1>
      <form className="card inline-form" onSubmit={create} aria-label="Create a team">
        <div className="fields">
          <label>
            Team name
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Create team
          </button>
        </div>
      </form>
      {action.error && <ProblemBox error={action.error} />}
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.loading && !list.data && <Loading what="Loading teams" />}
      {list.data?.items.map((t) => (
        <section key={t.name} className="card" aria-label={`Team ${t.name}`}>
          <h2>{t.name}</h2>
          <ul className="plain-list">
            {t.members.map((u) => (
              <li key={u}>
                {u}{' '}
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() =>
                    action.run(() => api(member(t.name, u), { method: 'DELETE' })).then(list.reload)
                  }
                >
                  Remove {u}
                </button>
              </li>
            ))}
          </ul>
          <form className="inline-form" onSubmit={(e) => add(e, t.name)} aria-label={`Add to ${t.name}`}>
            <div className="fields">
              <label>
                User name
                <input
                  value={adding[t.name] ?? ''}
                  onChange={(e) => setAdding((a) => ({ ...a, [t.name]: e.target.value }))}
                  required
                />
              </label>
              <button type="submit" className="btn" disabled={action.busy}>
                Add to team
              </button>
            </div>
          </form>
        </section>
      ))}
    </div>
  );
}
