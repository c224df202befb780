import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError } from '../lib/api';
import { ProblemBox } from '../components/ProblemBox';

/** The API's project name rule; written so that it also holds under the `v` flag browsers use for `pattern`. */
const PROJECT_NAME = '[a-z][a-z0-9\\-]{0,62}';
const NAME_RULE =
  'Use lowercase letters, digits and dashes, starting with a letter (for example my-project).';

export function NewProject() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ApiError>();
  const [nameError, setNameError] = useState<string>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    if (!new RegExp(`^(?:${PROJECT_NAME})$`, 'v').test(name)) {
      const suggestion = name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
      setNameError(`${NAME_RULE}${suggestion && suggestion !== name ? ` Try “${suggestion}”.` : ''}`);
      return;
    }
    setNameError(undefined);
    try {
      await api('/projects', { method: 'POST', body: { name, description } });
      navigate(`/projects/${name}`);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-labelledby="new-project" noValidate>
      <h2 id="new-project">New project</h2>
      <div className="fields">
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            pattern={PROJECT_NAME}
            title={NAME_RULE}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'new-project-name-error' : undefined}
          />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <button className="btn btn-primary" type="submit">
          Create
        </button>
      </div>
      {nameError && (
        <p id="new-project-name-error" className="field-error" role="alert">
          {nameError}
        </p>
      )}
      {error && <ProblemBox error={error} />}
    </form>
  );
}
