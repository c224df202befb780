// The Kubernetes client costs ~70 MB of worker memory: it is loaded with the first thing that needs it.
/* eslint-disable @typescript-eslint/no-require-imports */
export const kubernetesRuntimeModule = () => require('./kubernetes') as typeof import('./kubernetes');
export const deployModule = () => require('../kubernetes/deploy') as typeof import('../kubernetes/deploy');
export const podSweepModule = () => require('../kubernetes/sweep') as typeof import('../kubernetes/sweep');
export const applyStepModule = () =>
  require('../kubernetes/apply-step') as typeof import('../kubernetes/apply-step');
/* eslint-enable @typescript-eslint/no-require-imports */
