import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { runComponent } from '../../test/support/components';

let server: http.Server;
let url: string;
const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/missing') {
        res.writeHead(404).end('nothing here');
        return;
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, path: req.url }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('http-request on the local runtime', () => {
  it('GETs a URL and exposes the status and body', async () => {
    const { outcome } = await runComponent('http-request', { url: `${url}/health` });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toEqual({ status: '200', body: '{"ok":true,"path":"/health"}' });
  });

  it('POSTs a body with headers and a bearer token that the log never shows', async () => {
    const { outcome, lines } = await runComponent('http-request', {
      url: `${url}/items`,
      method: 'POST',
      body: '{"name":"a b"}',
      headers: 'X-Trace: 42\nX-Other: yes',
      token: 'sekrit-token-1234',
      'expect-status': '201',
    });
    expect(outcome.outputs.status).toBe('201');
    const request = seen.find((r) => r.url === '/items')!;
    expect(request).toMatchObject({ method: 'POST', body: '{"name":"a b"}' });
    expect(request.headers).toMatchObject({
      authorization: 'Bearer sekrit-token-1234',
      'x-trace': '42',
      'x-other': 'yes',
      'content-type': 'application/json',
    });
    expect(lines.join('\n')).not.toContain('sekrit-token-1234');
  });

  it('fails the step when the status is not the expected one', async () => {
    const { outcome, lines } = await runComponent('http-request', { url: `${url}/missing` });
    expect(outcome.failure?.kind).toBe('exit');
    expect(outcome.outputs.status).toBe('404');
    expect(lines).toContain('expected status 2xx, got 404');
  });
});

describe('http-request keeps to http(s) and never reads its URL as an option', () => {
  it('a file:// URL is refused: the host file shows in neither the outputs nor the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-host-'));
    fs.writeFileSync(path.join(dir, 'private'), 'host-only-content-5150\n');
    const { outcome, lines } = await runComponent('http-request', { url: `file://${dir}/private` });
    expect(outcome.failure?.kind).toBe('exit');
    expect(JSON.stringify(outcome.outputs)).not.toContain('host-only-content-5150');
    expect(lines.join('\n')).not.toContain('host-only-content-5150');
  });

  it('a URL that starts with "-" is a URL, not an option: -K cannot load a curl config that writes files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-curlrc-'));
    const written = path.join(dir, 'written-by-curl');
    fs.writeFileSync(path.join(dir, 'curlrc'), `url = "${url}/health"\noutput = "${written}"\n`);
    const { outcome } = await runComponent('http-request', { url: `-K${dir}/curlrc` });
    expect(outcome.failure?.kind).toBe('exit');
    expect(fs.existsSync(written)).toBe(false);
  });
});
