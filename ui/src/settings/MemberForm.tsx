import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { ROLES, type Role } from '../lib/roles';
import { ProblemBox } from '../components/ProblemBox';
import { useAction } from './use-action';

/** Grants a role to a user (by name) or a team (`team:<name>`). */
export function MemberForm({ project, onDone }: { project: string; onDone(): void }) {
  const [member, setMember] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const action = useAction();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const path = `/projects/${enc(project)}/members/${enc(member.trim())}`;
    if (await action.run(() => api(path, { method: 'PUT', body: { role } }))) {
      setMember('');
      onDone();
    }
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-label="Add a member">
      <div className="fields">
        <label>
          User or team:name
          <input
            value={member}
            onChange={(e) => setMember(e.target.value)}
            required
            placeholder="alice or team:release"
          />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          Add member
        </button>
      </div>
      {action.error && <ProblemBox error={action.error} />}
    </form>
  );
}
