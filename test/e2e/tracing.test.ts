import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../support/stack';
import { spawnWorkerProcess } from '../support/worker-process';
import { createPipeline, createProject, eventually, trigger, waitForRun } from '../support/runs';

interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
  workflowId?: string;
}

/** A minimal OTLP/HTTP trace receiver: what a collector would be handed. */
const received: ExportedSpan[] = [];
const collector = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    if (req.url === '/v1/traces') {
      const doc = JSON.parse(body) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{
            spans: Array<{
              name: string;
              traceId: string;
              attributes?: Array<{ key: string; value: { stringValue?: string } }>;
            }>;
          }>;
        }>;
      };
      for (const rs of doc.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans)
          for (const s of ss.spans) {
            const workflowId = s.attributes?.find((a) => a.key === 'temporalWorkflowId')?.value.stringValue;
            received.push({ service, name: s.name, traceId: s.traceId, workflowId });
          }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

let stack: Stack;
let worker: ChildProcess;
let project: string;

beforeAll(async () => {
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
  stack = await startStack({ worker: false });
  worker = spawnWorkerProcess(stack.config, { LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  project = await createProject(stack);
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (worker?.exitCode === null) worker.kill('SIGKILL');
  await stack?.stop();
  collector.close();
});

/** Runs `pipeline`; the worker's spans of the trace the API started, once `complete` says they are all there. */
async function traceOf(
  pipeline: string,
  complete: (spans: ExportedSpan[]) => boolean,
): Promise<ExportedSpan[]> {
  const run = await trigger(stack, project, pipeline);
  expect((await waitForRun(stack, project, run.id, 120_000)).status).toBe('succeeded');
  const started = await eventually(
    () =>
      received.find(
        (s) =>
          s.service === 'containerops-api' &&
          s.name === 'StartWorkflow:pipelineRun' &&
          s.workflowId === run.workflowId,
      ),
    'the API to export the start of the run',
  );
  return eventually(() => {
    const spans = received.filter(
      (s) => s.traceId === started.traceId && s.service === 'containerops-worker',
    );
    return spans.some((s) => s.name === 'RunWorkflow:pipelineRun') && complete(spans) ? spans : undefined;
  }, `the worker to export the workflow and its steps in the trace of ${pipeline}`).catch((err: Error) => {
    throw new Error(`${err.message}; received: ${JSON.stringify(received)}`);
  });
}

const twoSteps = (name: string, chainSteps: boolean) => `apiVersion: containerops/v1
kind: Pipeline
name: ${name}
chainSteps: ${chainSteps}
steps:
  - id: one
    run: echo one
  - id: two
    needs: [one]
    run: echo two
`;

it('with OTEL_EXPORTER_OTLP_ENDPOINT set, a run is one trace from the API through the workflow to its steps', async () => {
  await createPipeline(stack, project, twoSteps('traced', false));
  const trace = await traceOf(
    'traced',
    (spans) => spans.filter((s) => s.name === 'RunActivity:runStep').length >= 2,
  );
  expect(trace.filter((s) => s.name === 'RunActivity:runStep')).toHaveLength(2);
}, 240_000); // the traced worker bundles its workflows with the interceptors when it starts

it('the steps of a chain are spans of their own under the chain activity', async () => {
  await createPipeline(stack, project, twoSteps('chained', true));
  const trace = await traceOf(
    'chained',
    (spans) => spans.filter((s) => s.name.startsWith('ChainStep:')).length >= 2,
  );
  expect(trace.filter((s) => s.name === 'RunActivity:runChain')).toHaveLength(1);
  expect(trace.filter((s) => s.name.startsWith('ChainStep:')).map((s) => s.name)).toEqual([
    'ChainStep:one',
    'ChainStep:two',
  ]);
}, 120_000);
