import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../lib/api';
import { useApi } from '../lib/use-api';
import type { Page, Project } from '../lib/types';
import { Empty, ErrorBox, Loading } from '../components/feedback';

export function Projects() {
  const projects = useApi<Page<Project>>('/projects?limit=100');
  return (
    <div className="page">
      <div className="page-head">
        <h1>Projects</h1>
      </div>
      {projects.error && <ErrorBox error={projects.error} onRetry={projects.reload} />}
      {projects.loading && !projects.data && <Loading what="Loading projects" />}
      {projects.data &&
        (projects.data.items.length === 0 ? (
          <Empty>No projects yet. Create the first one below.</Empty>
        ) : (
          <ul className="cards" aria-label="Projects">
            {projects.data.items.map((p) => (
              <li key={p.name}>
                <Link className="card card-link" to={`/projects/${p.name}`}>
                  <strong>{p.name}</strong>
                  <span className="muted">{p.description || 'No description'}</span>
                  <span className="role-tag">{p.role}</span>
                </Link>
              </li>
            ))}
          </ul>
        ))}
      <NewProject />
    </div>
  );
}

function NewProject() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ApiError>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await api('/projects', { method: 'POST', body: { name, description } });
      navigate(`/projects/${name}`);
    } catch (err) {
      setError(err as ApiError);
    }
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-labelledby="new-project">
      <h2 id="new-project">New project</h2>
      <div className="fields">
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            pattern="[a-z][a-z0-9-]{0,62}"
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
      {error && <ErrorBox error={error} />}
    </form>
  );
}
