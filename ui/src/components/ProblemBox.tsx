import type { ApiError } from '../lib/api';

/** An API problem with each of its field errors (path and message), not just "request body is invalid". */
export function ProblemBox({ error }: { error: ApiError }) {
  return (
    <div className="error-box" role="alert">
      <strong>{error.message}</strong>
      {error.errors.length > 0 && (
        <ul className="problem-list">
          {error.errors.map((e, i) => (
            <li key={i}>
              {e.path && <code>{e.path}</code>} {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
