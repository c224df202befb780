import { createBlobStore } from '../../../lib/blobs';
import { startStack, type Stack } from '../../support/stack';
import { stepLogText } from '../../../api/logarithm/text';
import { secretMasker } from '../../../activities/logarithm/mask';
import { createLogStore } from '../../../activities/logarithm/store';
import { LogSink } from '../../../activities/logarithm/sink';
import { createRunFixture, setStepStatus, writeLines, type RunFixture } from './fixtures';

describe('GET .../steps/:step/logs as text', () => {
  let stack: Stack;
  let run: RunFixture;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    run = await createRunFixture(stack.db);
  });
  afterAll(() => stack.stop());

  it('returns every line as stored, in order, as text/plain', async () => {
    await writeLines(stack.db, run.runId, 'test', ['one', '  two with spaces  ', 'drei ☃', '']);
    await writeLines(stack.db, run.runId, 'test', ['five'], { firstSeq: 5, stream: 'stderr' });
    const res = await stack.request('GET', run.logsPath('test'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('one\n  two with spaces  \ndrei ☃\n\nfive\n');
  });

  it('labels the lines of later attempts, and selects one attempt with ?attempt=', async () => {
    await writeLines(stack.db, run.runId, 'build', ['a1', 'a2'], { attempt: 1 });
    await writeLines(stack.db, run.runId, 'build', ['b1'], { attempt: 2 });
    await writeLines(stack.db, run.runId, 'build', ['c1', 'c2'], { attempt: 3 });
    const all = await stack.request('GET', run.logsPath('build'));
    expect(await all.text()).toBe('a1\na2\n--- attempt 2 ---\nb1\n--- attempt 3 ---\nc1\nc2\n');
    const second = await stack.request('GET', run.logsPath('build', 'attempt=2'));
    expect(await second.text()).toBe('b1\n');
  });

  it('prefixes ISO timestamps with ?timestamps=1', async () => {
    const res = await stack.request('GET', run.logsPath('test', 'timestamps=1&attempt=1'));
    const lines = (await res.text()).split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z one$/);
  });

  it('serves each matrix combination with ?matrix=', async () => {
    await writeLines(stack.db, run.runId, 'test', ['on node 20'], { matrixKey: 'node=20' });
    await writeLines(stack.db, run.runId, 'test', ['on node 22'], { matrixKey: 'node=22' });
    const res = await stack.request('GET', run.logsPath('test', 'matrix=node%3D22'));
    expect(await res.text()).toBe('on node 22\n');
  });

  it('streams a large log completely, across many batches', async () => {
    const lines = Array.from({ length: 7_777 }, (_, i) => `line ${i}`);
    for (let i = 0; i < lines.length; i += 2000)
      await writeLines(stack.db, run.runId, 'notify', lines.slice(i, i + 2000), { firstSeq: i + 1 });
    const res = await stack.request('GET', run.logsPath('notify'));
    expect(await res.text()).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(
      await stepLogText(
        { db: stack.db, blobs: () => createBlobStore(stack.config) },
        run.runId,
        'notify',
        '',
      ),
    ).toBe(lines.map((l) => `${l}\n`).join(''));
  });

  it('serves an empty log for a planned step that has not run, and for a step recorded outside the plan', async () => {
    const planned = await stack.request('GET', run.logsPath('deploy'));
    expect(planned.status).toBe(200);
    expect(await planned.text()).toBe('');
    await setStepStatus(stack.db, run.runId, 'dynamic', 'running');
    const recorded = await stack.request('GET', run.logsPath('dynamic'));
    expect(recorded.status).toBe(200);
    expect(await recorded.text()).toBe('');
  });

  it('answers 404 problem+json for an unknown run and an unknown step', async () => {
    for (const path of [
      `/api/v1/projects/${run.project}/runs/00000000-0000-0000-0000-000000000000/steps/test/logs`,
      run.logsPath('no-such-step'),
    ]) {
      const res = await stack.request('GET', path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found' });
    }
  });

  it("answers 404 for another project's run", async () => {
    const other = await createRunFixture(stack.db);
    const res = await stack.request(
      'GET',
      `/api/v1/projects/${other.project}/runs/${run.runId}/steps/test/logs`,
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('serves secrets masked, as the log sink stored them', async () => {
    const key = { runId: run.runId, stepId: 'deploy', matrixKey: 'masked', attempt: 1 };
    const store = createLogStore(stack.config.DATABASE_URL!);
    const sink = new LogSink(store, key, secretMasker(['hunter22-password']));
    sink.push('stdout', 'logging in with hunter22-password');
    sink.push('stderr', 'done');
    await sink.close();
    await store.close();
    const res = await stack.request('GET', run.logsPath('deploy', 'matrix=masked'));
    expect(await res.text()).toBe('logging in with ***\ndone\n');
  });

  it('rejects a malformed attempt with 422', async () => {
    const res = await stack.request('GET', run.logsPath('test', 'attempt=zero'));
    expect(res.status).toBe(422);
  });
});
