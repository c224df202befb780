/** The web UI's page of a run (ui/src/main.tsx routes it): commit statuses and Temporal's run details link here. */
export const runPageUrl = (publicUrl: string, project: string, runId: string) =>
  `${publicUrl}/projects/${encodeURIComponent(project)}/runs/${runId}`;
