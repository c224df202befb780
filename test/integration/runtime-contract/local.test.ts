import { LocalRuntime } from '../../../activities/runtimes/local/local';
import { localWorkspace, runtimeContract } from '../../support/runtime-contract';

runtimeContract('local', async () => {
  const runtime = new LocalRuntime({ killGraceMs: 1000 });
  return { runtime, workspace: localWorkspace, close: async () => undefined };
});
