import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, step, trigger, waitForRun } from '../../support/runs';

/** Written as the original components were: CO_DATA in, `[COUT]` out, verdict in CO_RESULT, always exit 0. */
const ORIGINAL_COMPONENT = `#!/bin/sh
for pair in $CO_DATA; do
  case "$pair" in
    git-url=*) url="\${pair#git-url=}" ;;
    verdict=*) verdict="\${pair#verdict=}" ;;
  esac
done
echo "[COUT] cloning $url"
echo "[COUT] CO_URL = $url/archive.tar.gz" >&2
echo "[COUT] CO_JSON_CONTENT {\\"errors\\": 0,"
echo "  \\"files\\": 12}"
echo "[COUT] CO_RESULT = $verdict" >&2
exit
`;

let stack: Stack;
let project: string;
let script: string;

beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
  script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-cout-')), 'component.sh');
  fs.writeFileSync(script, ORIGINAL_COMPONENT);
});
afterAll(async () => {
  await stack?.stop();
});

describe('the original component output protocol', () => {
  it('collects [COUT] outputs from stderr and report blocks, and fails on CO_RESULT = false with exit 0', async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1
kind: Pipeline
name: original-components
steps:
  - id: passing
    with: { git-url: "https://example.org/app.git", verdict: "true" }
    run: sh ${script}
  - id: failing
    with: { git-url: "https://example.org/lib.git", verdict: "false" }
    run: sh ${script}
`,
    );
    const run = await waitForRun(stack, project, (await trigger(stack, project, 'original-components')).id);
    expect(run.status).toBe('failed');

    const passing = step(run, 'passing');
    expect(passing.status).toBe('succeeded');
    expect(passing.outputs).toEqual({
      CO_URL: 'https://example.org/app.git/archive.tar.gz',
      CO_JSON_CONTENT: '{"errors": 0,\n  "files": 12}',
      CO_RESULT: 'true',
    });

    const failing = step(run, 'failing');
    expect(failing.status).toBe('failed');
    expect(failing.exitCode).toBe(0);
    expect(failing.error).toBe('the component reported [COUT] CO_RESULT = false (exit code 0)');

    const logs = await stack.request('GET', `/api/v1/projects/${project}/runs/${run.id}/steps/passing/logs`);
    expect(await logs.text()).toContain('[COUT] cloning https://example.org/app.git');
  });
});
