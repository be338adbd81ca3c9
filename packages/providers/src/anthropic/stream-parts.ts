// Anthropic's SSE event stream -> canonical stream parts, through formats' event parser.
import type { StreamPart } from '@switchyard/core';
import { createAnthropicEventParser } from '@switchyard/formats';
import type { HttpContext } from '../http/http-context.ts';
import { serverSentEvents, type ServerSentEvent } from '../http/text-splitters.ts';
import { streamDecoder, type StreamDecoder } from '../http/run-call.ts';
import { endedEarlyPart, unreadableChunkPart } from '../http/stream-json.ts';

export function anthropicStreamDecoder(context: HttpContext): StreamDecoder {
  const events = serverSentEvents();
  const parser = createAnthropicEventParser();
  let ended = false;
  const partsOf = (batch: ServerSentEvent[]) => {
    const parts: StreamPart[] = [];
    for (const event of batch) {
      // Read on to the end after message_stop so the connection can be reused.
      if (ended) continue;
      const eventParts = parser.parseText(event.event ?? '', event.data);
      if (eventParts === undefined) {
        parts.push(unreadableChunkPart());
        continue;
      }
      for (const part of eventParts) {
        parts.push(part);
        // An in-stream error (overloaded, for one) is the end of this answer.
        if (part.type === 'finish' || (part.type === 'error' && event.event === 'error')) ended = true;
      }
    }
    return parts;
  };
  return streamDecoder(events, partsOf, () => (ended ? [] : [endedEarlyPart(context.provider, 'message_stop')]));
}
