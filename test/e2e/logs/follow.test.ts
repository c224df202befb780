import { ADMIN_TOKEN, startStack, type Stack } from '../../support/stack';
import { createRunFixture, setStepStatus, writeLines, type RunFixture } from './fixtures';
import { openSse, type SseEvent, type SseStream } from './sse-client';

interface LineData {
  attempt: number;
  stream: string;
  seq: number;
  line: string;
  at: string;
}

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function take(stream: SseStream, n: number): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  while (events.length < n) {
    const ev = await stream.next();
    if (!ev) throw new Error(`stream closed after ${events.length} of ${n} events`);
    events.push(ev);
  }
  return events;
}

async function rest(stream: SseStream): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for (let ev = await stream.next(); ev; ev = await stream.next()) events.push(ev);
  return events;
}

const lineOf = (ev: SseEvent) => (JSON.parse(ev.data) as LineData).line;

describe('following a log with Server-Sent Events', () => {
  let stack: Stack;
  let run: RunFixture;
  const follow = (step: string, query = 'follow=1', headers: Record<string, string> = {}) =>
    openSse(`${stack.url}${run.logsPath(step, query)}`, { ...auth, ...headers });

  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  beforeEach(async () => {
    run = await createRunFixture(stack.db);
  });
  afterAll(() => stack.stop());

  it('delivers the lines written while following, in order, then an end event when the step finishes', async () => {
    await setStepStatus(stack.db, run.runId, 'test', 'running');
    await writeLines(stack.db, run.runId, 'test', ['before 1', 'before 2']);
    const stream = await follow('test');
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const before = await take(stream, 2);
    expect(before.map(lineOf)).toEqual(['before 1', 'before 2']);
    const stored = await stack.db.logLine.findUniqueOrThrow({ where: { id: BigInt(before[0]!.id!) } });
    expect(JSON.parse(before[0]!.data)).toEqual({
      attempt: 1,
      stream: 'stdout',
      seq: 1,
      line: 'before 1',
      at: stored.at.toISOString(),
    });

    for (let i = 0; i < 5; i++) {
      await writeLines(stack.db, run.runId, 'test', [`live ${i}`], { firstSeq: 3 + i, stream: 'stderr' });
      const [ev] = await take(stream, 1);
      expect(JSON.parse(ev!.data)).toMatchObject({
        attempt: 1,
        stream: 'stderr',
        seq: 3 + i,
        line: `live ${i}`,
      });
      expect(ev!.id).toMatch(/^\d+$/);
    }
    await setStepStatus(stack.db, run.runId, 'test', 'succeeded');
    const end = await rest(stream);
    expect(end).toEqual([{ event: 'end', data: JSON.stringify({ status: 'succeeded' }) }]);
  });

  it('resumes after Last-Event-ID with exactly the remaining lines', async () => {
    await setStepStatus(stack.db, run.runId, 'test', 'running');
    await writeLines(stack.db, run.runId, 'test', ['l1', 'l2', 'l3', 'l4', 'l5']);
    const first = await follow('test');
    const seen = await take(first, 3);
    first.close();

    await writeLines(stack.db, run.runId, 'test', ['l6', 'l7'], { firstSeq: 6 });
    const again = await follow('test', 'follow=1', { 'last-event-id': seen[2]!.id! });
    expect((await take(again, 4)).map(lineOf)).toEqual(['l4', 'l5', 'l6', 'l7']);
    await writeLines(stack.db, run.runId, 'test', ['l8'], { firstSeq: 8 });
    await setStepStatus(stack.db, run.runId, 'test', 'failed');
    const tail = await rest(again);
    expect(tail.map((e) => (e.event === 'end' ? `end ${e.data}` : lineOf(e)))).toEqual([
      'l8',
      'end {"status":"failed"}',
    ]);
  });

  it('accepts ?lastEventId= and Accept: text/event-stream alike', async () => {
    await writeLines(stack.db, run.runId, 'test', ['a', 'b', 'c']);
    await setStepStatus(stack.db, run.runId, 'test', 'succeeded');
    const all = await rest(await follow('test'));
    const resumed = await rest(await follow('test', `lastEventId=${all[0]!.id}`));
    expect(resumed.map((e) => (e.event === 'end' ? 'end' : lineOf(e)))).toEqual(['b', 'c', 'end']);
  });

  it('keeps following across a retried attempt, and ends once the retry succeeds', async () => {
    await writeLines(stack.db, run.runId, 'build', ['try 1']);
    await setStepStatus(stack.db, run.runId, 'build', 'failed', { attempt: 1 });
    const stream = await follow('build');
    expect((await take(stream, 1)).map(lineOf)).toEqual(['try 1']);

    await setStepStatus(stack.db, run.runId, 'build', 'running', { attempt: 2 });
    await writeLines(stack.db, run.runId, 'build', ['try 2'], { attempt: 2 });
    const [second] = await take(stream, 1);
    expect(JSON.parse(second!.data)).toMatchObject({ attempt: 2, seq: 1, line: 'try 2' });
    await setStepStatus(stack.db, run.runId, 'build', 'succeeded', { attempt: 2 });
    expect((await rest(stream)).map((e) => e.event)).toEqual(['end']);
  });

  it('ends at once for a step that never ran in a finished run', async () => {
    await stack.db.run.update({ where: { id: run.runId }, data: { status: 'failed' } });
    const events = await rest(await follow('deploy'));
    expect(events).toEqual([{ event: 'end', data: JSON.stringify({ status: 'skipped' }) }]);
  });

  it('fans one step out to many followers, each getting every line once', async () => {
    await setStepStatus(stack.db, run.runId, 'test', 'running');
    const streams = await Promise.all(Array.from({ length: 20 }, () => follow('test')));
    const lines = Array.from({ length: 50 }, (_, i) => `fan ${i}`);
    for (let i = 0; i < lines.length; i += 10)
      await writeLines(stack.db, run.runId, 'test', lines.slice(i, i + 10), { firstSeq: i + 1 });
    await setStepStatus(stack.db, run.runId, 'test', 'succeeded');
    for (const s of streams) {
      const events = await rest(s);
      expect(events.map((e) => (e.event === 'end' ? 'end' : lineOf(e)))).toEqual([...lines, 'end']);
    }
  });

  it('answers 404 problem+json before streaming for an unknown step', async () => {
    const stream = await follow('nope');
    expect(stream.status).toBe(404);
    expect(stream.contentType).toMatch(/^application\/problem\+json/);
    stream.close();
  });
});
