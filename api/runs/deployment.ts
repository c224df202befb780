import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { validatePlan } from '../../pipeline';
import { conflict, invalid, notFound } from '../../lib/errors';
import {
  abortUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
  type DeploymentState,
} from '../../workflows/deployment';
import { isDeployStep } from '../../workflows/deploy-step';
import { deployWorkflowId } from '../../contract';
import type { Run, PipelineVersion } from '../../generated/prisma/client';

export type DeploymentAction = 'pause' | 'resume' | 'abort';

/** The child workflow a kubernetes-deploy step runs (see workflows/interpreter.ts). */
function deploymentHandle(client: Client, run: Run & { pipelineVersion: PipelineVersion }, stepId: string) {
  const plan = validatePlan(run.pipelineVersion.plan);
  const node = plan.nodes.find((n) => n.id === stepId) ?? plan.finally.find((n) => n.id === stepId);
  if (!node) throw notFound(`step ${JSON.stringify(stepId)}`);
  if (!isDeployStep(node)) {
    throw invalid(`step ${stepId} is not a kubernetes-deploy step`, [
      { path: 'step', message: 'not a deployment' },
    ]);
  }
  return client.workflow.getHandle(deployWorkflowId(run.workflowId, stepId));
}

function notStarted(err: unknown, stepId: string): never {
  if (err instanceof WorkflowNotFoundError)
    throw conflict(`the deployment of step ${stepId} has not started`);
  throw err;
}

export async function deploymentState(
  client: Client,
  run: Run & { pipelineVersion: PipelineVersion },
  stepId: string,
) {
  return deploymentHandle(client, run, stepId)
    .query(stateQuery)
    .catch((err) => notStarted(err, stepId));
}

/** Pause, resume or abort a running deployment through its workflow updates. */
export async function steerDeployment(
  client: Client,
  run: Run & { pipelineVersion: PipelineVersion },
  stepId: string,
  action: DeploymentAction,
  reason: string,
): Promise<DeploymentState> {
  const handle = deploymentHandle(client, run, stepId);
  try {
    if (action === 'pause') return await handle.executeUpdate(pauseUpdate);
    if (action === 'resume') return await handle.executeUpdate(resumeUpdate);
    return await handle.executeUpdate(abortUpdate, { args: [reason] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw conflict(err.cause?.message ?? err.message);
    return notStarted(err, stepId);
  }
}
