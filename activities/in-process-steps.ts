import type { KubeConfig } from '@kubernetes/client-node';
import { applyStepModule } from './runtimes/kubernetes/module';
import type { StepHooks, StepLaunch, StepOutcome } from './runtimes/runtime';

type InProcessStep = (launch: StepLaunch, hooks: StepHooks, kubeConfig?: KubeConfig) => Promise<StepOutcome>;

/**
 * Built-in components the worker runs itself, with the platform's own clients, on whatever
 * runtime the step names (kubernetes-deploy is a workflow of its own and never gets here).
 */
const IN_PROCESS: Record<string, InProcessStep> = {
  'kubernetes-apply': (launch, hooks, kc) => applyStepModule().runKubernetesApply(launch, hooks, kc),
};

export function inProcessStep(component: string | undefined): InProcessStep | undefined {
  return component === undefined ? undefined : IN_PROCESS[component];
}
