import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
import { openSse, type SseEvent } from './sse-client';

const PIPELINE = `apiVersion: containerops/v1
kind: Pipeline
name: chatty
steps:
  - id: talk
    env: { API_TOKEN: "tok-0123456789" }
    run: |
      echo "start"
      echo "token is $API_TOKEN"
      for i in 1 2 3; do echo "tick $i"; sleep 0.2; done
      echo "oops" >&2
      if [ "$CO_ATTEMPT" = "1" ]; then exit 3; fi
      echo "second time lucky"
    retry: { attempts: 2, backoff: 1s }
`;

describe('logs of a real pipeline run', () => {
  let stack: Stack;
  let project: string;

  beforeAll(async () => {
    stack = await startStack();
    project = await createProject(stack);
    await createPipeline(stack, project, PIPELINE);
  });
  afterAll(() => stack?.stop());

  it('follows a running step live to its end and serves the same log, masked and labelled, as text', async () => {
    const run = await trigger(stack, project, 'chatty');
    const path = `/api/v1/projects/${project}/runs/${run.id}/steps/talk/logs`;
    const stream = await openSse(`${stack.url}${path}?follow=1`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    const collected = (async () => {
      const events: SseEvent[] = [];
      for (let ev = await stream.next(); ev; ev = await stream.next()) events.push(ev);
      return events;
    })();
    expect((await waitForRun(stack, project, run.id)).status).toBe('succeeded');
    const events = await collected;

    const lines = events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data));
    const attempt1 = ['start', 'token is ***', 'tick 1', 'tick 2', 'tick 3', 'oops'];
    expect(lines.filter((l) => l.attempt === 1).map((l) => l.line)).toEqual(attempt1);
    expect(lines.filter((l) => l.attempt === 2).map((l) => l.line)).toEqual([
      ...attempt1,
      'second time lucky',
    ]);
    expect(lines.find((l) => l.line === 'oops')).toMatchObject({ stream: 'stderr' });
    expect(events.at(-1)).toEqual({ event: 'end', data: JSON.stringify({ status: 'succeeded' }) });

    const text = await (await stack.request('GET', path)).text();
    expect(text).toBe(
      [...attempt1, '--- attempt 2 ---', ...attempt1, 'second time lucky'].map((l) => `${l}\n`).join(''),
    );
  });
});
