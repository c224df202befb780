import net from 'node:net';
import tls from 'node:tls';
import { guardedAddress } from '../../../services/address-guard';

/** Reads SMTP replies (multi-line `250-...` until `250 ...`) from a socket. */
function replies(socket: net.Socket) {
  let buffer = '';
  const waiting: ((reply: { code: number; text: string }) => void)[] = [];
  const ready: { code: number; text: string }[] = [];
  let lines: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      lines.push(line.slice(4));
      if (line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), text: lines.join('\n') };
        lines = [];
        const next = waiting.shift();
        if (next) next(reply);
        else ready.push(reply);
      }
    }
  });
  return () =>
    new Promise<{ code: number; text: string }>((resolve) => {
      const r = ready.shift();
      if (r) resolve(r);
      else waiting.push(resolve);
    });
}

/** Connects, reads the greeting and says EHLO: the server's reply code and its capabilities. */
export async function smtpEhlo(
  target: string,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<{ code: number; capabilities: string[]; greeting: string }> {
  const url = new URL(target);
  const secure = url.protocol === 'smtps:';
  const { address } = await guardedAddress(url.hostname, opts.allowPrivate);
  const port = Number(url.port || (secure ? 465 : 587));
  const socket = secure
    ? tls.connect({ host: address, port, servername: url.hostname })
    : net.connect({ host: address, port });
  const timer = setTimeout(
    () => socket.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)),
    opts.timeoutMs,
  );
  try {
    const next = replies(socket);
    const failed = new Promise<never>((_, reject) => socket.once('error', reject));
    failed.catch(() => undefined); // an error after the exchange must not go unhandled
    const greeting = await Promise.race([next(), failed]);
    if (greeting.code !== 220) return { code: greeting.code, capabilities: [], greeting: greeting.text };
    socket.write('EHLO containerops\r\n');
    const ehlo = await Promise.race([next(), failed]);
    socket.write('QUIT\r\n');
    return { code: ehlo.code, capabilities: ehlo.text.split('\n').slice(1), greeting: greeting.text };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}
