import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { runComponent } from '../../test/support/components';

interface Received {
  from?: string;
  to: string[];
  data: string;
  user?: string;
}
const mails: Received[] = [];
let server: SMTPServer;
let smtpUrl: string;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'ci' && auth.password === 'mail-pass-9876') cb(null, { user: 'ci' });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('mail-notify on the local runtime', () => {
  it('delivers one mail to every recipient, authenticated, with the password masked', async () => {
    const { outcome, lines } = await runComponent('mail-notify', {
      'smtp-url': smtpUrl,
      from: 'ci@example.org',
      to: 'a@example.org,b@example.org',
      subject: 'run 7 failed\nBcc: evil@example.org',
      body: 'step build failed',
      username: 'ci',
      password: 'mail-pass-9876',
    });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs.recipients).toBe('2');
    const mail = mails.at(-1)!;
    expect(mail).toMatchObject({
      from: 'ci@example.org',
      to: ['a@example.org', 'b@example.org'],
      user: 'ci',
    });
    expect(mail.data).toContain('Subject: run 7 failed Bcc: evil@example.org\r\n');
    expect(mail.data).not.toMatch(/^Bcc:/m);
    expect(mail.data).toContain('step build failed');
    expect(lines.join('\n')).not.toContain('mail-pass-9876');
  });

  it('fails when the server refuses the credentials', async () => {
    const { outcome } = await runComponent('mail-notify', {
      'smtp-url': smtpUrl,
      from: 'ci@example.org',
      to: 'a@example.org',
      username: 'ci',
      password: 'wrong-password',
    });
    expect(outcome.failure?.kind).toBe('exit');
  });
});

describe('mail-notify keeps to SMTP', () => {
  it('a file:// smtp-url is refused instead of writing the message into a host file', async () => {
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'co-host-')), 'overwritten');
    const { outcome } = await runComponent('mail-notify', {
      'smtp-url': `file://${target}`,
      from: 'ci@example.org',
      to: 'a@example.org',
      body: 'not a mail',
    });
    expect(outcome.failure?.kind).toBe('exit');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('a recipient that looks like a file pattern is sent as written', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'co-ws-'));
    fs.writeFileSync(path.join(workspace, 'x@example.org'), '');
    const { outcome } = await runComponent(
      'mail-notify',
      { 'smtp-url': smtpUrl, from: 'ci@example.org', to: '*@example.org' },
      { workspace },
    );
    expect(outcome.failure).toBeUndefined();
    expect(mails.at(-1)!.to).toEqual(['*@example.org']);
  });
});
