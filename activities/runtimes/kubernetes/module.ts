// The Kubernetes client costs ~70 MB of worker memory: it is loaded with the first thing that needs it.
/* eslint-disable @typescript-eslint/no-require-imports */
export const kubernetesRuntimeModule = () => require('./kubernetes') as typeof import('./kubernetes');
export const deployModule = () => require('./deploy/deploy') as typeof import('./deploy/deploy');
export const podSweepModule = () => require('./sweep') as typeof import('./sweep');
export const applyStepModule = () => require('./deploy/apply-step') as typeof import('./deploy/apply-step');
/* eslint-enable @typescript-eslint/no-require-imports */
