import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { FakeKube } from '../../support/fake-kube';
import { startStack, type Stack } from '../../support/stack';
import { createProject, eventually, trigger, waitForRun } from '../../support/runs';

interface Received {
  to: string[];
  raw: string;
}

let smtp: SMTPServer;
/** the project's own mail server, registered as an smtp service; it wants a login */
let teamSmtp: SMTPServer;
let teamPort: number;
let fake: FakeKube;
const inbox: Received[] = [];
const teamInbox: (Received & { user?: string })[] = [];
let stack: Stack;
let project: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as AddressInfo;
  teamSmtp = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'team-mail-password')
        return callback(null, { user: auth.username });
      return callback(new Error('invalid login'));
    },
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const user = session.user as string | undefined;
        teamInbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, user });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => teamSmtp.listen(0, '127.0.0.1', resolve));
  teamPort = (teamSmtp.server.address() as AddressInfo).port;
  fake = await new FakeKube().start();
  // the job's component fails: the mail must name it
  fake.podBehavior = async (pod) => {
    pod.schedule();
    pod.start();
    pod.log('[COUT] compile failed');
    pod.exit(1);
  };
  stack = await startStack({
    kubeConfig: fake.kubeConfig(),
    config: {
      CO_SMTP_URL: `smtp://127.0.0.1:${port}`,
      CO_PUBLIC_URL: 'https://ci.example.org',
      CO_SERVICES_ALLOW_PRIVATE: 'true',
    },
  });
  project = await createProject(stack);
});
afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => teamSmtp?.close(() => resolve()));
});

const FLOW = `uri: acme/demo/mailed
title: A flow whose result is mailed
number: 7
receivers:
  -
    type: mail
    address: ops@example.org
  -
    type: mail
    address: dev@example.org
stages:
  - { type: start, name: start }
  - type: normal
    name: build
    actions:
      - name: compile
        jobs:
          - type: component
            endpoint: hub.example.org/acme/compile:1
            status: running
  - { type: end, name: end }
`;

describe('flow receivers', () => {
  it('stores the flow with 201 and the warnings beside it', async () => {
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, FLOW);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { name: string; format: string; warnings: unknown[] };
    expect(body).toMatchObject({ name: 'mailed', format: 'flow' });
    expect(body.warnings).toEqual([
      {
        path: 'number',
        line: 3,
        col: 1,
        message: '"number" is run state the original engine wrote back; ignored',
      },
      {
        path: 'stages[1].actions[0].jobs[0].status',
        line: 20,
        col: 13,
        message: '"status" is run state the original engine wrote back; ignored',
      },
    ]);
  });

  it('mails each receiver the flow, run number, status, failed jobs and a link once the run ends', async () => {
    const started = await trigger(stack, project, 'mailed');
    const run = await waitForRun(stack, project, started.id);
    expect(run.status).toBe('failed');
    const mails = await eventually(() => (inbox.length >= 2 ? inbox : undefined), 'two mails');
    expect(mails.map((m) => m.to).sort()).toEqual([['dev@example.org'], ['ops@example.org']]);
    for (const { raw } of mails) {
      const mail = { raw: decodeQuotedPrintable(raw) };
      expect(mail.raw).toMatch(/^Subject: \[ContainerOps\] mailed #1 failed$/m);
      expect(mail.raw).toContain('Flow: mailed');
      expect(mail.raw).toContain('Run: #1');
      expect(mail.raw).toContain('Status: failed');
      expect(mail.raw).toContain('Failed jobs: build-compile-0');
      expect(mail.raw).toContain(`https://ci.example.org/api/v1/projects/${project}/runs/${started.id}`);
    }
  });
});

describe('flow receivers with the smtp service the flow names', () => {
  it("mails through the project's registered smtp service, with its login and sender, not the worker's server", async () => {
    const registered = await stack.request('POST', `/api/v1/projects/${project}/services`, {
      name: 'team-mail',
      type: 'smtp',
      url: `smtp://127.0.0.1:${teamPort}`,
      credentials: { username: 'mailer', password: 'team-mail-password' },
      config: { from: 'ci@example.org' },
    });
    expect(registered.status).toBe(201);
    const flow = FLOW.replace('uri: acme/demo/mailed', 'uri: acme/demo/team-mailed\nsmtp: team-mail');
    expect((await stack.request('POST', `/api/v1/projects/${project}/pipelines`, flow)).status).toBe(201);
    const before = inbox.length;
    const started = await trigger(stack, project, 'team-mailed');
    expect((await waitForRun(stack, project, started.id)).status).toBe('failed');
    const mails = await eventually(() => (teamInbox.length >= 2 ? teamInbox : undefined), 'two mails');
    expect(mails.map((m) => m.to).sort()).toEqual([['dev@example.org'], ['ops@example.org']]);
    for (const mail of mails) {
      expect(mail.user).toBe('mailer');
      expect(mail.raw).toMatch(/^From: ci@example\.org$/m);
      expect(decodeQuotedPrintable(mail.raw)).toMatch(/^Subject: \[ContainerOps\] team-mailed #1 failed$/m);
    }
    expect(inbox.length).toBe(before);
  });

  it('warns when a flow names an smtp service but has no receivers', async () => {
    const flow = FLOW.replace('uri: acme/demo/mailed', 'uri: acme/demo/unmailed\nsmtp: team-mail').replace(
      /receivers:[\s\S]*?stages:/,
      'stages:',
    );
    const res = await stack.request('POST', `/api/v1/projects/${project}/pipelines`, flow);
    expect(res.status).toBe(201);
    const { warnings } = (await res.json()) as { warnings: { path: string; message: string }[] };
    expect(warnings).toContainEqual(
      expect.objectContaining({ path: 'smtp', message: expect.stringContaining('receivers only') }),
    );
  });
});

/** The body is quoted-printable: soft line breaks and =XX escapes. */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
