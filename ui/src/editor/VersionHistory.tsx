import { useEffect, useState } from 'react';
import { diffLines, type Change } from 'diff';
import { api } from '../lib/api';
import { when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { ErrorBox, Loading } from '../components/feedback';

interface VersionItem {
  version: number;
  createdAt: string;
  createdBy: string | null;
}

/** A pipeline's versions; choosing one shows its diff against the version before it. */
export function VersionHistory({ base, latest }: { base: string; latest: number }) {
  const list = useApi<{ items: VersionItem[] }>(`${base}/versions?v=${latest}`);
  const [chosen, setChosen] = useState<number>(latest);
  const [diff, setDiff] = useState<Change[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => setChosen(latest), [latest]);
  useEffect(() => {
    setDiff(undefined);
    setError(undefined);
    let live = true;
    const source = (v: number) =>
      v < 1 ? Promise.resolve('') : api<{ source: string }>(`${base}/versions/${v}`).then((r) => r.source);
    Promise.all([source(chosen - 1), source(chosen)])
      .then(([before, after]) => live && setDiff(diffLines(before, after)))
      .catch((err: Error) => live && setError(err));
    return () => {
      live = false;
    };
  }, [base, chosen]);

  return (
    <section className="history" aria-labelledby="history-title">
      <h3 id="history-title">Version history</h3>
      {list.error && <ErrorBox error={list.error} onRetry={list.reload} />}
      {!list.data && !list.error && <Loading what="Loading versions" />}
      <ol className="versions">
        {list.data?.items.map((v) => (
          <li key={v.version}>
            <button type="button" aria-pressed={v.version === chosen} onClick={() => setChosen(v.version)}>
              <strong>v{v.version}</strong> <span className="muted">{when(v.createdAt)}</span>
              {v.createdBy && <span className="muted"> · {v.createdBy}</span>}
            </button>
          </li>
        ))}
      </ol>
      <h4>{chosen > 1 ? `Changes from v${chosen - 1} to v${chosen}` : `v${chosen}`}</h4>
      {error && <ErrorBox error={error} />}
      {diff && (
        <pre className="diff" tabIndex={0} aria-label={`Diff of version ${chosen}`}>
          {diff.map((part, i) => (
            <span key={i} className={part.added ? 'diff-add' : part.removed ? 'diff-del' : 'diff-same'}>
              {part.value
                .replace(/\n$/, '')
                .split('\n')
                .map((line) => `${part.added ? '+ ' : part.removed ? '- ' : '  '}${line}\n`)
                .join('')}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}
