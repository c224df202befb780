import { Link, NavLink, Outlet, useNavigate } from 'react-router';
import { useSession } from '../lib/session';

export function Layout() {
  const { user, signOut } = useSession();
  const navigate = useNavigate();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="ContainerOps home">
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          ContainerOps
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Projects
          </NavLink>
          <NavLink to="/components">Components</NavLink>
          <NavLink to="/account/tokens">Tokens</NavLink>
          {user?.isAdmin && <NavLink to="/admin/users">Users</NavLink>}
          {user?.isAdmin && <NavLink to="/admin/teams">Teams</NavLink>}
        </nav>
        <div className="who">
          {user && (
            <span className="user" title={user.email}>
              {user.name}
              {user.isAdmin ? ' (admin)' : ''}
            </span>
          )}
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              signOut();
              navigate('/sign-in');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
