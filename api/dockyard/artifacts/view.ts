import { parseOutputRef } from '../../../contract/output-refs';

/** Run JSON: a large output shows as {ref, size, digest, href} instead of the reference string. */
export function outputsView(project: string, outputs: Record<string, string>) {
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const ref = typeof value === 'string' ? parseOutputRef(value) : undefined;
    view[key] = ref
      ? {
          ref: value,
          size: ref.size,
          digest: ref.digest,
          href: `/api/v1/projects/${project}/runs/${ref.runId}/outputs/${encodeURIComponent(ref.name)}`,
        }
      : value;
  }
  return view;
}
