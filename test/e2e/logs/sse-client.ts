/** A minimal Server-Sent Events client over fetch, for tests and the bench. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** the next event; undefined when the server closed the stream */
  next(): Promise<SseEvent | undefined>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const queue: SseEvent[] = [];
  let buffer = '';
  let done = false;

  const parse = () => {
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const ev: SseEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') ev.id = value;
        else if (field === 'event') ev.event = value;
        else if (field === 'data') data.push(value);
      }
      ev.data = data.join('\n');
      if (data.length > 0 || ev.event !== 'message') queue.push(ev);
    }
  };

  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    async next() {
      while (queue.length === 0 && !done) {
        try {
          const chunk = await reader.read();
          if (chunk.done) done = true;
          else buffer += decoder.decode(chunk.value, { stream: true });
        } catch {
          done = true;
        }
        parse();
      }
      return queue.shift();
    },
    close: () => abort.abort(),
  };
}
