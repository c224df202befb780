import type { V1Pod } from '@kubernetes/client-node';
import { formatOutputsFile, uploaderMessage } from '../../../activities/dockyard/pod-outputs';
import {
  ARTIFACTS_OUT,
  OUTPUTS_MARKER,
  toolLines,
  uploaderOutputs,
} from '../../../activities/runtimes/kubernetes/artifact-containers';
import { parseOutputsFile } from '../../../activities/runtimes/outputs';

const uploaderPod = (message: string): V1Pod => ({
  spec: { containers: [{ name: 'step' }, { name: ARTIFACTS_OUT }] },
  status: {
    containerStatuses: [{ name: ARTIFACTS_OUT, state: { terminated: { exitCode: 0, message } } } as never],
  },
});

test('outputs written back as a file read the same, whatever their line breaks and delimiters', () => {
  const outputs = { a: '1', notes: 'line one\nCO_EOF\nline three', empty: '', url: 'http://x/?a=b' };
  expect(parseOutputsFile(formatOutputsFile(outputs))).toEqual(outputs);
});

test("the uploader's message keeps its outputs whole and drops its oldest report lines past 4 KiB", () => {
  const lines = Array.from({ length: 200 }, (_, i) => `[containerops] report line ${i}`);
  const outputs = formatOutputsFile({ big: 'dockyard-ref:x', sum: 'abc' });
  const message = uploaderMessage(lines, outputs);
  expect(Buffer.byteLength(message)).toBeLessThanOrEqual(4096);
  const pod = uploaderPod(message);
  expect(parseOutputsFile(uploaderOutputs(pod)!)).toEqual({ big: 'dockyard-ref:x', sum: 'abc' });
  const reported = toolLines(pod);
  expect(reported.at(-1)).toBe('[containerops] report line 199');
  expect(reported).not.toContain('[containerops] report line 0');
  expect(reported.some((l) => l.startsWith(OUTPUTS_MARKER))).toBe(false);
});

test('an uploader that reported no outputs leaves the step its own termination message', () => {
  expect(uploaderOutputs(uploaderPod(uploaderMessage(['[containerops] stored'], undefined)))).toBeUndefined();
});
