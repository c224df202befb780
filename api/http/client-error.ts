import http from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's parser errors (before Express sees the request) and the status each one answers. */
const STATUS_OF: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_URI_TOO_LONG: 414,
};

const DETAIL_OF: Record<number, string> = {
  400: 'the request is not valid HTTP (bad Content-Length, Transfer-Encoding or header syntax)',
  408: 'the request was not received in time',
  414: 'the request URL is too long',
  431: 'the request line or headers are too large',
};

function problemBody(status: number, detail: string | undefined): string {
  return JSON.stringify({ type: 'about:blank', title: http.STATUS_CODES[status], status, detail });
}

/**
 * Replaces Node's own empty-bodied 400/417/431 answers to requests its HTTP server refuses before
 * Express sees them with problem+json, like every other error of the API.
 */
export function answerClientErrors(server: http.Server): void {
  // sockets already answered and closing: a parse error in the bytes after that answer (the
  // refused request's body read as a next request) must not write a second response
  const answered = new WeakSet<Duplex>();
  // an Expect other than 100-continue: Node would answer a bare 417 itself without this listener
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    answered.add(req.socket);
    const body = problemBody(417, 'only "Expect: 100-continue" is supported');
    res.writeHead(417, {
      'Content-Type': 'application/problem+json',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
    req.resume();
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || answered.has(socket)) {
      socket.destroy();
      return;
    }
    const status = STATUS_OF[err.code ?? ''] ?? 400;
    const body = problemBody(status, DETAIL_OF[status]);
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
