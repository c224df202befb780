import type { RunStepInput } from '../contract';
import type { RuntimeName } from './runtimes/runtime';

/**
 * The runtime a step runs on: its own `runtime:`, else the worker's default, with two turns.
 * An image with no script (an original ContainerOps flow job's `endpoint`) runs its own
 * entrypoint, which host processes cannot do: on a local-default worker it goes to Kubernetes.
 * A host component (`host: true`, e.g. buildah) cannot run in a step container: the host runs it.
 */
export function stepRuntimeName(
  input: RunStepInput,
  defaultRuntime: RuntimeName,
  onHost = false,
): RuntimeName {
  if (input.runtime) return onHost && input.runtime === 'container' ? 'local' : input.runtime;
  if (input.kind === 'run' && input.image && !input.script && defaultRuntime === 'local') return 'kubernetes';
  return onHost && defaultRuntime === 'container' ? 'local' : defaultRuntime;
}
