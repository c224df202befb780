import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import '@xyflow/react/dist/style.css';
import './styles.css';
import './styles/log.css';
import './styles/params.css';
import './styles/run-banner.css';
import './styles/graph.css';
import './styles/settings.css';
import './styles/cache.css';
import { SessionProvider, useSession } from './lib/session';
import { Layout } from './components/Layout';
import { SignIn } from './pages/SignIn';
import { Projects } from './pages/Projects';
import { Components } from './pages/Components';
import { ProjectLayout } from './pages/ProjectLayout';
import { PipelineList, RunList } from './pages/ProjectLists';
import { ServicesPage } from './settings/ServicesPage';
import { ComponentPage } from './pages/ComponentPage';
import { MembersPage } from './settings/MembersPage';
import { SecretsPage } from './settings/SecretsPage';
import { CachesPage } from './settings/CachesPage';
import { TokensPage } from './settings/TokensPage';
import { TeamsPage } from './admin/TeamsPage';
import { UsersPage } from './admin/UsersPage';
import { RunPage } from './run/RunPage';
import { PipelineEditor } from './editor/PipelineEditor';

function RequireSession({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Projects />} />
        <Route path="components" element={<Components />} />
        <Route path="components/:name" element={<ComponentPage />} />
        <Route path="account/tokens" element={<TokensPage />} />
        <Route path="admin/users" element={<UsersPage />} />
        <Route path="admin/teams" element={<TeamsPage />} />
        <Route path="projects/:project" element={<ProjectLayout />}>
          <Route index element={<PipelineList />} />
          <Route path="pipelines" element={<PipelineList />} />
          <Route path="pipelines/new" element={<PipelineEditor />} />
          <Route path="pipelines/:name" element={<PipelineEditor />} />
          <Route path="runs" element={<RunList />} />
          <Route path="runs/:runId" element={<RunPage />} />
          <Route path="services" element={<ServicesPage />} />
          <Route path="secrets" element={<SecretsPage />} />
          <Route path="caches" element={<CachesPage />} />
          <Route path="members" element={<MembersPage />} />
        </Route>
        <Route path="*" element={<p className="empty">This page does not exist.</p>} />
      </Route>
    </Routes>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
