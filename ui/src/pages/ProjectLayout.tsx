import { createContext, useContext } from 'react';
import { NavLink, Outlet, useParams } from 'react-router';
import { useApi } from '../lib/use-api';
import type { Project } from '../lib/types';
import { ErrorBox, Loading } from '../components/feedback';

const ProjectContext = createContext<Project | undefined>(undefined);

export function useProject(): Project {
  const project = useContext(ProjectContext);
  if (!project) throw new Error('useProject outside a project page');
  return project;
}

const TABS = [
  ['pipelines', 'Pipelines'],
  ['runs', 'Runs'],
  ['services', 'Services'],
  ['secrets', 'Secrets'],
  ['caches', 'Caches'],
  ['members', 'Members'],
] as const;

export function ProjectLayout() {
  const { project: name } = useParams();
  const project = useApi<Project>(`/projects/${encodeURIComponent(name!)}`);
  if (project.error) return <ErrorBox error={project.error} onRetry={project.reload} />;
  if (!project.data) return <Loading what="Loading project" />;
  return (
    <ProjectContext.Provider value={project.data}>
      <div className="project">
        <div className="project-head">
          <h1>
            <NavLink to={`/projects/${project.data.name}`} end>
              {project.data.name}
            </NavLink>
          </h1>
          <span className="role-tag" title="Your role in this project">
            {project.data.role}
          </span>
        </div>
        <nav className="tabs" aria-label="Project">
          {TABS.map(([path, label]) => (
            <NavLink key={path} to={`/projects/${project.data!.name}/${path}`}>
              {label}
            </NavLink>
          ))}
        </nav>
        <Outlet />
      </div>
    </ProjectContext.Provider>
  );
}
