// Anthropic's SSE event stream -> canonical stream parts, through formats' event parser.
import type { StreamPart } from '@switchyard/core';
import { createAnthropicEventParser } from '@switchyard/formats';
import type { CallSignal } from '../http/call-signal.ts';
import type { HttpContext } from '../http/http-context.ts';
import { readServerSentEvents } from '../http/read-body.ts';
import { parseJsonOrUndefined, unreadableChunkPart } from '../http/stream-json.ts';
import type { UpstreamResponse } from '../http/upstream-response.ts';

export async function* anthropicStreamParts(response: UpstreamResponse, call: CallSignal, context: HttpContext): AsyncGenerator<StreamPart> {
  const parser = createAnthropicEventParser();
  let ended = false;
  for await (const event of readServerSentEvents(response.body, call, context)) {
    // Read on to the end after message_stop so the connection can be reused.
    if (ended) continue;
    const data = parseJsonOrUndefined(event.data);
    if (data === undefined) {
      yield unreadableChunkPart();
      continue;
    }
    for (const part of parser.parse(event.event ?? '', data)) {
      yield part;
      // An in-stream error (overloaded, for one) is the end of this answer.
      if (part.type === 'finish' || (part.type === 'error' && event.event === 'error')) ended = true;
    }
  }
  if (!ended) yield { type: 'error', error: { code: 'upstream_error', message: `${context.provider} ended the stream before message_stop`, retryable: true } };
}
