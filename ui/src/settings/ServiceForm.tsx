import { useState, type FormEvent } from 'react';
import { api, ApiError, enc } from '../lib/api';
import { ProblemBox } from '../components/ProblemBox';
import { useAction } from './use-action';

/** JSON object text, or undefined when the field is left empty. */
function jsonField(text: string, field: string): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ApiError(422, `${field} must be a JSON object`, [
    { path: field, message: 'must be a JSON object' },
  ]);
}

/**
 * Registers a service, or (with `name`) changes its URL and replaces its credentials. Credentials
 * are write-only: the form starts empty and an empty field keeps the stored ones.
 */
export function ServiceForm({ project, name, onDone }: { project: string; name?: string; onDone(): void }) {
  const [newName, setNewName] = useState('');
  const [type, setType] = useState('');
  const [url, setUrl] = useState('');
  const [credentials, setCredentials] = useState('');
  const action = useAction();
  const prefix = name ? `service-${name}` : 'service-new';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await action.run(() => {
      const body = {
        ...(url ? { url } : {}),
        ...(credentials.trim() ? { credentials: jsonField(credentials, 'credentials') } : {}),
      };
      return name
        ? api(`/projects/${enc(project)}/services/${enc(name)}`, { method: 'PUT', body })
        : api(`/projects/${enc(project)}/services`, {
            method: 'POST',
            body: { name: newName, type, ...body },
          });
    });
    if (!ok) return;
    setCredentials('');
    onDone();
  }
  return (
    <form
      className="card inline-form"
      onSubmit={submit}
      aria-label={name ? `Edit ${name}` : 'Register a service'}
    >
      <div className="fields">
        {!name && (
          <>
            <label>
              Name
              <input value={newName} onChange={(e) => setNewName(e.target.value)} required />
            </label>
            <label>
              Type
              {/* the API lists the types it knows when given another one */}
              <input value={type} onChange={(e) => setType(e.target.value)} required placeholder="github" />
            </label>
          </>
        )}
        <label htmlFor={`${prefix}-url`}>
          URL
          <input
            id={`${prefix}-url`}
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://…"
          />
        </label>
        <label htmlFor={`${prefix}-credentials`}>
          Credentials (JSON, write-only{name ? '; needed again for a new address' : ''})
          <textarea
            id={`${prefix}-credentials`}
            rows={2}
            value={credentials}
            onChange={(e) => setCredentials(e.target.value)}
            placeholder='{"token": "…"}'
            autoComplete="off"
          />
        </label>
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {name ? 'Save' : 'Register'}
        </button>
      </div>
      {action.error && <ProblemBox error={action.error} />}
    </form>
  );
}
