import { useEffect, useState } from 'react';
import { api, ApiError } from '../lib/api';
import type { LineError } from './YamlEditor';

export interface Validation {
  state: 'checking' | 'valid' | 'invalid' | 'unknown';
  errors: LineError[];
}

/** Validates the source as the user types (debounced) with POST .../pipelines/validate. */
export function useValidation(project: string, source: string): Validation {
  const [result, setResult] = useState<Validation>({ state: 'checking', errors: [] });
  useEffect(() => {
    setResult((r) => ({ ...r, state: 'checking' }));
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ valid: boolean; errors: LineError[] }>(`/projects/${project}/pipelines/validate`, {
        method: 'POST',
        yaml: source,
        signal: controller.signal,
      })
        .then((r) => setResult({ state: r.valid ? 'valid' : 'invalid', errors: r.errors }))
        .catch((err: unknown) => {
          if ((err as Error).name === 'AbortError') return;
          if (err instanceof ApiError && err.status === 422)
            setResult({
              state: 'invalid',
              errors: err.errors.length ? err.errors : [{ message: err.message }],
            });
          else setResult({ state: 'unknown', errors: [] });
        });
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [project, source]);
  return result;
}
