import type { ReactNode } from 'react';
import type { ApiError } from '../lib/api';

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {what}…
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiError | Error; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <strong>{'status' in error && error.status === 404 ? 'Not found' : 'Something went wrong'}</strong>
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A feature whose API is not on this server yet (404 on the list route). */
export function isAbsent(error: ApiError | undefined): boolean {
  return error?.status === 404 || error?.status === 405;
}
