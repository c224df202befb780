import { startStack, type Stack } from '../../support/stack';
import { createPipeline, createProject, trigger, waitForRun } from '../../support/runs';
import { openSse } from '../logs/sse-client';
import { LineSplitter } from '../../../activities/runtimes/lines';

let stack: Stack;
let project: string;
beforeAll(async () => {
  stack = await startStack();
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
});

/** Lines a step prints: short ones around a 40,000-character line and a 3 MB one (both with multi-byte characters). */
const script = [
  'echo before',
  `node -e 'process.stdout.write("é" + "a".repeat(39998) + "☃\\n")'`,
  `node -e 'process.stdout.write("x".repeat(1048575) + "☃" + "y".repeat(2000000) + "\\n")'`,
  'echo after',
].join('\n');
const expected = [
  'before',
  `é${'a'.repeat(39998)}☃`,
  `${'x'.repeat(1048575)}☃${'y'.repeat(2000000)}`,
  'after',
];

describe('log lines over 16 KiB (item 6)', () => {
  let runId: string;
  beforeAll(async () => {
    await createPipeline(
      stack,
      project,
      `apiVersion: containerops/v1\nkind: Pipeline\nname: long\nsteps:\n  - id: talk\n    run: |\n${script
        .split('\n')
        .map((l) => `      ${l}`)
        .join('\n')}\n`,
    );
    runId = (await trigger(stack, project, 'long')).id;
    expect((await waitForRun(stack, project, runId)).status).toBe('succeeded');
  }, 120_000);

  const logsPath = () => `/api/v1/projects/${project}/runs/${runId}/steps/talk/logs`;

  it('are stored as continuation rows and returned whole by the text route', async () => {
    const res = await stack.request('GET', logsPath());
    expect(res.status).toBe(200);
    expect((await res.text()).split('\n')).toEqual([...expected, '']);
    const rows = await stack.db.logLine.count({ where: { runId, stepId: 'talk', continues: true } });
    expect(rows).toBeGreaterThan(2);
  });

  it('are returned whole, one event each, by the SSE route', async () => {
    const sse = await openSse(`${stack.url}${logsPath()}`, {
      authorization: 'Bearer co_test_admin_token_0123456789abcdef',
    });
    expect(sse.status).toBe(200);
    const lines: string[] = [];
    for (let ev = await sse.next(); ev && ev.event !== 'end'; ev = await sse.next())
      lines.push((JSON.parse(ev.data) as { line: string }).line);
    sse.close();
    expect(lines).toEqual(expected);
  });

  it('resumes after a Last-Event-ID without splitting a line', async () => {
    const auth = { authorization: 'Bearer co_test_admin_token_0123456789abcdef' };
    const first = await openSse(`${stack.url}${logsPath()}`, auth);
    const events = [await first.next(), await first.next()];
    first.close();
    const resumed = await openSse(`${stack.url}${logsPath()}`, { ...auth, 'last-event-id': events[1]!.id! });
    const next = await resumed.next();
    resumed.close();
    expect((JSON.parse(next!.data) as { line: string }).line).toBe(expected[2]);
  });
});

describe('LineSplitter', () => {
  it('cuts an endless line into pieces flagged as continuing, never inside a surrogate pair', () => {
    const pieces: Array<[string, boolean]> = [];
    const splitter = new LineSplitter((line, continues) => pieces.push([line, continues]), 4);
    splitter.push('abc😀de');
    splitter.push('f\nnext\n');
    splitter.end();
    expect(pieces).toEqual([
      ['abc', true],
      ['😀def', false],
      ['next', false],
    ]);
  });
});
