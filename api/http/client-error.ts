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

/**
 * Replaces Node's own empty-bodied 400/431 answers to requests its HTTP parser refuses with
 * problem+json, like every other error of the API.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS_OF[err.code ?? ''] ?? 400;
    const body = JSON.stringify({
      type: 'about:blank',
      title: http.STATUS_CODES[status],
      status,
      detail: DETAIL_OF[status],
    });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
