import { useState } from 'react';
import { ApiError, enc } from '../lib/api';
import { downloadByLink } from '../lib/download';
import { byteSize } from '../lib/format';
import { ErrorBox } from '../components/feedback';

export interface Artifact {
  name: string;
  step: string;
  matrix?: string | null;
  digest: string;
  size: number;
}

/** A step's artifacts, each downloaded through a short-lived link the API issues to the session (streamed by the browser). */
export function ArtifactList({ base, artifacts }: { base: string; artifacts: Artifact[] }) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  if (artifacts.length === 0) return <p className="muted">No artifacts.</p>;
  async function download(a: Artifact) {
    setBusy(a.name);
    setError(undefined);
    try {
      await downloadByLink(`${base}/artifacts/${enc(a.name)}/link`, `${a.name}.tar.gz`);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(undefined);
    }
  }
  return (
    <>
      <ul className="artifacts">
        {artifacts.map((a) => (
          <li key={`${a.name}-${a.matrix ?? ''}`}>
            <button
              type="button"
              className="btn btn-small"
              disabled={busy === a.name}
              onClick={() => download(a)}
              aria-label={`Download ${a.name}.tar.gz`}
            >
              {busy === a.name ? 'Downloading…' : `${a.name}.tar.gz`}
            </button>{' '}
            <span className="muted">{byteSize(a.size)}</span>
          </li>
        ))}
      </ul>
      {error && <ErrorBox error={error} />}
    </>
  );
}
