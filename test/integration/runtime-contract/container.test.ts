import { ContainerRuntime } from '../../../activities/runtimes/container/container';
import { localWorkspace, runtimeContract } from '../../support/runtime-contract';
import { testImage } from '../../support/container-image';

jest.setTimeout(120_000);

runtimeContract('container (podman + runc)', async () => {
  const image = await testImage();
  const runtime = new ContainerRuntime({ killGraceMs: 1000 });
  return { runtime, image, workspace: localWorkspace, close: () => runtime.close() };
});
