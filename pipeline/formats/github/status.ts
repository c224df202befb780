import type { Job } from './schema';
import { planId, type WorkflowScope } from './scope';
import { actionKind } from './uses';

/**
 * GitHub's status check functions in a job's if:, per the documented semantics: `failure()` is
 * true when any ancestor job (through needs, transitively) failed, `success()` when every ancestor
 * succeeded and the run was not cancelled, `cancelled()` when the run was cancelled.
 * A job's outcome is that of all its plan steps: its checkouts and its script.
 */

/** What the status functions need to know about every job, fixed before any job is translated. */
export interface JobGraph {
  /** GitHub job id -> the GitHub jobs it needs (known ones only) */
  needs: Map<string, string[]>;
  /** GitHub job id -> (step index -> plan id of the git-clone step made for that checkout) */
  checkoutIds: Map<string, Map<number, string>>;
  /** jobs with continue-on-error: true: their failure neither fails nor skips their dependants */
  tolerated: Set<string>;
}

export function jobGraph(jobs: Record<string, Job>, jobIds: Map<string, string>): JobGraph {
  const taken = new Set(jobIds.values());
  const graph: JobGraph = { needs: new Map(), checkoutIds: new Map(), tolerated: new Set() };
  for (const [gid, job] of Object.entries(jobs)) {
    const needs = job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs;
    graph.needs.set(
      gid,
      needs.filter((n) => jobIds.has(n)),
    );
    if (job['continue-on-error'] === true) graph.tolerated.add(gid);
    const ids = new Map<number, string>();
    job.steps.forEach((step, k) => {
      if (step.run === undefined && step.uses !== undefined && actionKind(step.uses) === 'checkout')
        ids.set(k, planId(`${jobIds.get(gid)!}-checkout`, taken));
    });
    graph.checkoutIds.set(gid, ids);
  }
  return graph;
}

/** Every job `gid` depends on, directly or through the jobs it needs. */
export function ancestorJobs(gid: string, graph: JobGraph): string[] {
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const need of graph.needs.get(id) ?? []) {
      if (seen.has(need)) continue;
      seen.add(need);
      visit(need);
    }
  };
  visit(gid);
  seen.delete(gid);
  return [...seen];
}

const status = (id: string) => `steps[${JSON.stringify(id)}].status`;

/** CEL for a status function in the if: of a job that runs after the others (a finally step). */
export function finallyStatusCel(name: string, gid: string, scope: WorkflowScope): string {
  if (name === 'always') return 'true';
  if (name === 'cancelled') return "(run.status == 'cancelled')";
  const graph = scope.graph;
  const ancestors = ancestorJobs(gid, graph);
  const planIds = (g: string) => [...graph.checkoutIds.get(g)!.values(), scope.jobIds.get(g)!];
  if (name === 'failure') {
    const failed = ancestors
      .filter((g) => !graph.tolerated.has(g))
      .flatMap(planIds)
      .map((id) => `${status(id)} in ['failed', 'timed_out']`);
    return failed.length > 0 ? `(${failed.join(' || ')})` : 'false';
  }
  const ok = ancestors.flatMap((g) =>
    graph.tolerated.has(g)
      ? [`${status(scope.jobIds.get(g)!)} in ['succeeded', 'failed', 'timed_out']`]
      : planIds(g).map((id) => `${status(id)} == 'succeeded'`),
  );
  return `(${["run.status != 'cancelled'", ...ok].join(' && ')})`;
}
