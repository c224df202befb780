import { useState } from 'react';
import { duration, when } from '../lib/format';
import { useApi } from '../lib/use-api';
import { useRoute } from '../lib/capabilities';
import type { PlanNode, StepView } from '../lib/types';
import { isAbsent } from '../components/feedback';
import { StatusBadge } from '../components/StatusBadge';
import { LogView } from './LogView';
import { ArtifactList, type Artifact } from './ArtifactList';
import { CachedBadge, CachedFromFact, FingerprintTable } from './CacheFacts';

function legLabel(leg: StepView): string {
  return leg.matrix
    ? Object.entries(leg.matrix)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    : leg.matrixKey || 'default';
}

export function StepPanel({
  base,
  node,
  legs,
  initialLeg,
}: {
  initialLeg?: string;
  base: string;
  node: PlanNode;
  legs: StepView[];
}) {
  const [legKey, setLegKey] = useState(initialLeg);
  const leg = legs.find((l) => l.matrixKey === legKey) ?? legs[0];
  const hasArtifacts = useRoute('GET', '/projects/{project}/runs/{run}/artifacts');
  const artifacts = useApi<{ items: Artifact[] }>(hasArtifacts ? `${base}/artifacts` : null);
  if (!leg) return null;
  const stepArtifacts = artifacts.data?.items.filter((a) => a.step === node.id) ?? [];
  const logPath = `${base}/steps/${encodeURIComponent(node.id)}/logs${leg.matrixKey ? `?matrix=${encodeURIComponent(leg.matrixKey)}` : ''}`;
  const outputs = Object.entries(leg.outputs ?? {});

  return (
    <section className="step-panel" aria-labelledby="step-title">
      <div className="step-panel-head">
        <h2 id="step-title">{node.id}</h2>
        <StatusBadge status={leg.status} />
        {leg.cached && <CachedBadge />}
      </div>
      {legs.length > 1 && (
        <div className="legs" role="group" aria-label="Matrix legs">
          {legs.map((l) => (
            <button
              key={l.matrixKey}
              type="button"
              className={`leg status-${l.status}`}
              aria-pressed={l === leg}
              onClick={() => setLegKey(l.matrixKey)}
            >
              {legLabel(l)} · {l.status.replace('_', ' ')}
            </button>
          ))}
        </div>
      )}
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{node.uses ? `${node.uses.name}@${node.uses.range}` : node.kind}</dd>
        <dt>Attempts</dt>
        <dd>
          {leg.attempts}
          {node.retry.attempts > 1 ? ` of ${node.retry.attempts}` : ''}
        </dd>
        <dt>Duration</dt>
        <dd>{duration(leg.startedAt, leg.finishedAt) || '—'}</dd>
        {leg.exitCode !== null && (
          <>
            <dt>Exit code</dt>
            <dd>{leg.exitCode}</dd>
          </>
        )}
        <CachedFromFact leg={leg} />
        {leg.reused && (
          <>
            <dt>Reused</dt>
            <dd>from the earlier run</dd>
          </>
        )}
        {leg.approval && (
          <>
            <dt>Decision</dt>
            <dd>
              {leg.approval.decision} by {leg.approval.by} {when(leg.approval.at)}
              {leg.approval.comment ? ` — “${leg.approval.comment}”` : ''}
            </dd>
          </>
        )}
      </dl>
      {leg.error && (
        <p className="step-error" role="note">
          {leg.error}
        </p>
      )}
      {node.approval && leg.status === 'waiting' && (
        <p className="waiting-note">
          Waiting for approval
          {node.approval.approvers.length ? ` by ${node.approval.approvers.join(', ')}` : ''} (decided in the
          banner above).
        </p>
      )}
      {node.kind !== 'approval' && (
        <>
          <h3>Log</h3>
          <LogView
            path={logPath}
            active={leg.status !== 'pending' && leg.status !== 'skipped'}
            linkSearch={`?step=${encodeURIComponent(node.id)}${leg.matrixKey ? `&leg=${encodeURIComponent(leg.matrixKey)}` : ''}`}
            filename={`${node.id}${leg.matrixKey ? `-${leg.matrixKey}` : ''}.log`}
          />
        </>
      )}
      <FingerprintTable leg={leg} />
      <h3>Outputs</h3>
      {outputs.length === 0 ? (
        <p className="muted">No outputs.</p>
      ) : (
        <table className="table compact">
          <tbody>
            {outputs.map(([k, v]) => (
              <tr key={k}>
                <th scope="row" className="mono">
                  {k}
                </th>
                <td className="mono wrap">{typeof v === 'string' ? v : JSON.stringify(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Artifacts</h3>
      {isAbsent(artifacts.error) ? (
        <p className="muted">No artifacts.</p>
      ) : (
        <ArtifactList base={base} artifacts={stepArtifacts} />
      )}
    </section>
  );
}
