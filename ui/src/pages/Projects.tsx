import { Link } from 'react-router';
import { useApi } from '../lib/use-api';
import type { Page, Project } from '../lib/types';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { NewProject } from './NewProject';

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
