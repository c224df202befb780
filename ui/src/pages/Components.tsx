import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../lib/api';
import { listComponents } from '../lib/catalog';
import { useRoute } from '../lib/capabilities';
import type { Component } from '../lib/types';
import { Empty, ErrorBox, isAbsent, Loading } from '../components/feedback';

export function Components() {
  const [items, setItems] = useState<Component[]>();
  const [error, setError] = useState<ApiError>();
  const [q, setQ] = useState('');
  const offered = useRoute('GET', '/components');
  useEffect(() => {
    if (offered === undefined) return;
    if (!offered) {
      setError(new ApiError(404, 'no catalog'));
      return;
    }
    const controller = new AbortController();
    listComponents(controller.signal)
      .then(setItems)
      .catch((err: unknown) => {
        if ((err as Error).name !== 'AbortError') setError(err as ApiError);
      });
    return () => controller.abort();
  }, [offered]);
  const shown = items?.filter((c) =>
    `${c.name} ${c.description ?? ''}`.toLowerCase().includes(q.toLowerCase()),
  );
  return (
    <div className="page">
      <div className="page-head">
        <h1>Components</h1>
        <label className="search">
          <span className="visually-hidden">Search components</span>
          <input
            type="search"
            placeholder="Search components"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
      </div>
      {isAbsent(error) ? (
        <Empty>This server has no component catalog yet.</Empty>
      ) : (
        error && <ErrorBox error={error} />
      )}
      {!items && !error && <Loading what="Loading the catalog" />}
      {shown &&
        (shown.length === 0 ? (
          <Empty>No component matches.</Empty>
        ) : (
          <ul className="cards" aria-label="Components">
            {shown.map((c) => (
              <li key={c.name} className="card">
                <Link to={`/components/${encodeURIComponent(c.name)}`}>
                  <strong>{c.name}</strong>
                </Link>{' '}
                <span className="muted">v{c.version}</span>
                <span className="muted">{c.description}</span>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
