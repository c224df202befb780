import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runComponent } from '../../test/support/components';

let server: http.Server;
let url: string;
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(req.url === '/down' ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('webhook-notify on the local runtime', () => {
  it('POSTs valid JSON even when the message holds quotes, backslashes and newlines', async () => {
    const message = 'build "web" failed\non C:\\ci\tstep 2';
    const { outcome } = await runComponent('webhook-notify', {
      url: `${url}/hook`,
      status: 'failed',
      message,
      token: 'hook-token-5678',
    });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs.status).toBe('204');
    const last = received.at(-1)!;
    expect(last.headers['content-type']).toBe('application/json');
    expect(last.headers.authorization).toBe('Bearer hook-token-5678');
    expect(JSON.parse(last.body)).toEqual({
      run: 'run-1',
      step: 'webhook-notify',
      status: 'failed',
      message,
    });
  });

  it('fails when the webhook answers with an error', async () => {
    const { outcome } = await runComponent('webhook-notify', { url: `${url}/down`, status: 'succeeded' });
    expect(outcome.failure?.kind).toBe('exit');
    expect(outcome.outputs.status).toBe('503');
  });
});

describe('webhook-notify keeps to http(s) and never reads its URL as an option', () => {
  it('a URL that starts with "-" is a URL, not an option: -K cannot load a curl config that writes files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-curlrc-'));
    const written = path.join(dir, 'written-by-curl');
    fs.writeFileSync(path.join(dir, 'curlrc'), `url = "${url}/hook"\noutput = "${written}"\n`);
    const { outcome } = await runComponent('webhook-notify', { url: `-K${dir}/curlrc`, status: 'ok' });
    expect(outcome.failure?.kind).toBe('exit');
    expect(fs.existsSync(written)).toBe(false);
  });

  it('a file:// URL is refused: the host file never reaches the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-host-'));
    fs.writeFileSync(path.join(dir, 'private'), 'host-only-content-6160\n');
    const { outcome, lines } = await runComponent('webhook-notify', { url: `file://${dir}/private` });
    expect(outcome.failure?.kind).toBe('exit');
    expect(lines.join('\n')).not.toContain('host-only-content-6160');
  });
});
