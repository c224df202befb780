import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { apiUrl, authHeaders } from './api';

/**
 * Follows a Server-Sent Events route with the session's token (EventSource cannot send an
 * Authorization header). Reconnects after a dropped connection with Last-Event-ID until
 * the server ends the stream with an `end` event or `stop()` is called.
 */
export function followEvents(
  path: string,
  onEvent: (message: EventSourceMessage) => void,
  opts: { onError?: (err: Error) => void; onOpen?: () => void } = {},
): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let ended = false;

  const connect = async (): Promise<void> => {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders() };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const res = await fetch(apiUrl(path), { headers, signal: controller.signal });
    if (!res.ok || !res.body) throw new Error(`the live stream answered ${res.status}`);
    opts.onOpen?.();
    const parser = createParser({
      onEvent(message) {
        if (message.id) lastEventId = message.id;
        if (message.event === 'end') ended = true;
        onEvent(message);
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  };

  const loop = async () => {
    let failures = 0;
    while (!ended && !controller.signal.aborted) {
      try {
        await connect();
        failures = 0;
      } catch (err) {
        if (controller.signal.aborted) return;
        if (++failures >= 5) {
          opts.onError?.(err as Error);
          return;
        }
      }
      if (!ended && !controller.signal.aborted)
        await new Promise((r) => setTimeout(r, 1000 * failures + 500));
    }
  };
  void loop();
  return () => controller.abort();
}
