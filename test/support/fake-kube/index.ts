export { FakeKube, type RequestRecord } from './server';
export { PodControl, runScript, type PodBehavior } from './pods';
export { type RolloutBehavior, type RolloutOutcome } from './apps';
export { runProcesses } from './process-kubelet';
