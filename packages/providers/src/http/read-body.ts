// Readers over a streaming response body. Stopping early (return(), an error, an abort)
// destroys the body, which aborts the upstream request and closes its connection.
import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { brokenResponseError, responseTooLargeError } from '../errors/call-failure.ts';
import type { ErrorContext } from '../errors/status-error.ts';
import type { CallSignal } from './call-signal.ts';

export async function* readTextChunks(body: Readable, call: CallSignal, context: ErrorContext): AsyncGenerator<string> {
  const chunks: AsyncIterator<Uint8Array> = body[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  const limit = context.maxResponseBytes ?? Number.POSITIVE_INFINITY;
  let received = 0;
  let done = false;
  try {
    while (true) {
      let result: IteratorResult<Uint8Array>;
      try {
        result = await chunks.next();
      } catch (error) {
        throw call.signal.aborted ? error : brokenResponseError(error, context);
      }
      if (result.done) break;
      received += result.value.byteLength;
      // An upstream that never stops must not fill the worker's memory, Redis and Postgres.
      if (received > limit) throw responseTooLargeError(context, limit);
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
      body.destroy();
    }
  }
}

export type ServerSentEvent = { event?: string; data: string };

export async function* readServerSentEvents(body: Readable, call: CallSignal, context: ErrorContext): AsyncGenerator<ServerSentEvent> {
  const pending: ServerSentEvent[] = [];
  const parser = createParser({ onEvent: ({ event, data }) => pending.push(event === undefined ? { data } : { event, data }) });
  for await (const text of readTextChunks(body, call, context)) {
    parser.feed(text);
    if (pending.length > 0) yield* pending.splice(0);
  }
  parser.reset({ consume: true });
  yield* pending.splice(0);
}

/** NDJSON: one trimmed, non-empty line at a time. */
export async function* readJsonLines(body: Readable, call: CallSignal, context: ErrorContext): AsyncGenerator<string> {
  let partial = '';
  for await (const text of readTextChunks(body, call, context)) {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const trimmed = line.trim();
      if (trimmed) yield trimmed;
    }
  }
  if (partial.trim()) yield partial.trim();
}
