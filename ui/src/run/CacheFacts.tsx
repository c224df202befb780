import { Link } from 'react-router';
import type { StepView } from '../lib/types';
import { useProject } from '../pages/ProjectLayout';
import { TableHead } from '../components/TableHead';

/** The first 12 hex digits of a `sha256:` digest: enough to tell two inputs apart at a glance. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** "Cached" beside a step's status: it did not run, an earlier run's result was reused. */
export function CachedBadge() {
  return (
    <span className="badge cached-badge" data-cached="true" title="Reused from an earlier run">
      <span className="dot" aria-hidden="true" />
      cached
    </span>
  );
}

/** Where a reused result came from, as a definition list entry of the step's facts. */
export function CachedFromFact({ leg }: { leg: StepView }) {
  const project = useProject().name;
  if (!leg.cached || !leg.cachedFrom) return null;
  return (
    <>
      <dt>Cached from</dt>
      <dd>
        <Link to={`/projects/${project}/runs/${leg.cachedFrom.runId}`}>run #{leg.cachedFrom.number}</Link>
      </dd>
    </>
  );
}

/** A memoized step's fingerprint: what it was computed from, so two runs can be compared. */
export function FingerprintTable({ leg }: { leg: StepView }) {
  const fp = leg.fingerprint;
  if (!fp) return null;
  return (
    <section className="fingerprint" aria-labelledby="fingerprint-title">
      <h3 id="fingerprint-title">Fingerprint</h3>
      <p className="muted">
        <span className="mono" title={fp.digest}>
          {shortDigest(fp.digest)}
        </span>{' '}
        {leg.cached ? '— matched an earlier run, so the step was not run.' : '— computed from these inputs.'}
      </p>
      {fp.notMemoizable && <p className="muted not-memoizable">Not reusable: {fp.notMemoizable}.</p>}
      <table className="table compact">
        <TableHead columns={['Input', 'Digest']} />
        <tbody>
          {fp.inputs.map((input) => (
            <tr key={input.name} data-input={input.name}>
              <th scope="row" className="mono">
                {input.name}
              </th>
              <td className="mono" title={input.secret ? undefined : input.digest}>
                {input.secret ? 'secret' : shortDigest(input.digest)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
