import { useState } from 'react';
import { enc } from '../lib/api';
import { useApi } from '../lib/use-api';
import type { Pipeline } from '../lib/types';
import { ErrorBox } from '../components/feedback';
import { RunDialog } from './RunDialog';

/** "Run again…": the params form of the pipeline's latest version, prefilled with this run's params. */
export function RunAgainButton({
  project,
  pipeline,
  params,
}: {
  project: string;
  pipeline: string;
  params: Record<string, unknown>;
}) {
  const [open, setOpen] = useState(false);
  const latest = useApi<Pipeline>(open ? `/projects/${enc(project)}/pipelines/${enc(pipeline)}` : null);
  return (
    <>
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        Run again…
      </button>
      {open && latest.error && <ErrorBox error={latest.error} />}
      {open && latest.data && (
        <RunDialog
          project={project}
          pipeline={pipeline}
          params={latest.data.plan?.params ?? []}
          previous={params}
          onClose={() => setOpen(false)}
        />
      )}
    </>
  );
}
