// A plain SSE reader for the gateway's event streams (GET /v1/jobs/{id}/events), where
// the tests look at event ids, which the official SDKs hide.
export type SseEvent = { id?: string; event?: string; data: string };

export function parseSseEvent(block: string): SseEvent | undefined {
  const event: SseEvent = { data: '' };
  let hasData = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') {
      event.data += value;
      hasData = true;
    }
  }
  return hasData ? event : undefined;
}

export type ReadEventsOptions = {
  apiKey: string;
  headers?: Record<string, string>;
  /** Called with each event as it arrives (the read goes on meanwhile). */
  onEvent?(event: SseEvent, index: number): void;
  /** Drops the connection once this many events have arrived (a client going away). */
  stopAfter?: number;
};

/** Reads a whole event stream; a response that is not one comes back with its JSON body. */
export async function readSseEvents(url: string, options: ReadEventsOptions): Promise<{ status: number; events: SseEvent[]; body: unknown }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${options.apiKey}`, ...options.headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return { status: response.status, events, body: await response.json() };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop()!;
    for (const block of blocks) {
      const event = parseSseEvent(block);
      if (!event) continue;
      events.push(event);
      options.onEvent?.(event, events.length - 1);
    }
    if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
      controller.abort();
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return { status: response.status, events, body: undefined };
}
