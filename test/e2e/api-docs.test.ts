import { startStack, type Stack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

it('serves an OpenAPI 3.1 document listing the core routes, and rendered docs', async () => {
  const res = await fetch(`${stack.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as {
    openapi: string;
    paths: Record<string, Record<string, { summary: string }>>;
  };
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths['/api/v1/projects/{project}/pipelines/{name}/runs']!)).toEqual(['post']);
  expect(doc.paths['/api/v1/projects/{project}/runs/{run}']!.get!.summary).toMatch(/run with its steps/);
  expect(doc.paths['/api/v1/projects/{project}/runs/{run}/steps/{step}/logs']).toBeDefined();
  const docs = await fetch(`${stack.url}/docs`);
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('/api/v1/projects/:project/runs/:run/cancel');
});
