import { FakeRuntime } from '../../support/fake-runtime';
import { localWorkspace, runtimeContract } from '../../support/runtime-contract';

// the runtime workflow tests use must behave like the real ones
runtimeContract('fake', async () => ({
  runtime: new FakeRuntime(),
  workspace: localWorkspace,
  close: async () => {},
}));
