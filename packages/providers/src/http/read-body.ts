// Readers over a streaming response body. Stopping early (return(), an error, an abort)
// cancels the body, which releases or closes the upstream connection.
import { createParser } from 'eventsource-parser';
import { brokenResponseError } from '../errors/call-failure.ts';
import type { CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';

export async function* readTextChunks(response: Response, call: CallSignal, context: HttpContext): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let done = false;
  try {
    while (true) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (error) {
        throw call.signal.aborted ? error : brokenResponseError(error, context);
      }
      if (result.done) break;
      call.touch();
      const text = decoder.decode(result.value, { stream: true });
      if (text) yield text;
    }
    done = true;
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    if (!done) {
      call.abort();
      await reader.cancel().catch(() => undefined);
    }
  }
}

export type ServerSentEvent = { event?: string; data: string };

export async function* readServerSentEvents(response: Response, call: CallSignal, context: HttpContext): AsyncGenerator<ServerSentEvent> {
  const pending: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: ({ event, data }) => pending.push(event === undefined ? { data } : { event, data }) });
  for await (const text of readTextChunks(response, call, context)) {
    parser.feed(text);
    if (pending.length > 0) yield* pending.splice(0);
  }
  parser.reset({ consume: true });
  yield* pending.splice(0);
}

/** NDJSON: one trimmed, non-empty line at a time. */
export async function* readJsonLines(response: Response, call: CallSignal, context: HttpContext): AsyncGenerator<string> {
  let partial = '';
  for await (const text of readTextChunks(response, call, context)) {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed) yield trimmed;
    }
  }
  if (partial.trim()) yield partial.trim();
}
