import { useState, type FormEvent } from 'react';
import { api, enc } from '../lib/api';
import { ProblemBox } from '../components/ProblemBox';
import { useAction } from './use-action';

/** Adds a secret, or (with `name`) replaces its value. The value is sent and never read back. */
export function SecretForm({ project, name, onDone }: { project: string; name?: string; onDone(): void }) {
  const [newName, setNewName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  const id = name ? `secret-value-${name}` : 'secret-value';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await action.run(() =>
      name
        ? api(`/projects/${enc(project)}/secrets/${enc(name)}`, { method: 'PUT', body: { value } })
        : api(`/projects/${enc(project)}/secrets`, { method: 'POST', body: { name: newName, value } }),
    );
    if (!ok) return;
    setValue('');
    setNewName('');
    onDone();
  }
  return (
    <form
      className="card inline-form"
      onSubmit={submit}
      aria-label={name ? `Replace the value of ${name}` : 'Add a secret'}
    >
      <div className="fields">
        {!name && (
          <label>
            Name
            <input value={newName} onChange={(e) => setNewName(e.target.value)} required autoComplete="off" />
          </label>
        )}
        <label htmlFor={id}>
          {name ? `New value for ${name}` : 'Value'}
          <input
            id={id}
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            autoComplete="new-password"
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {name ? 'Replace value' : 'Add secret'}
        </button>
      </div>
      {action.error && <ProblemBox error={action.error} />}
    </form>
  );
}
