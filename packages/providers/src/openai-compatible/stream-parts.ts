// An OpenAI-dialect SSE body -> canonical stream parts, through formats' chunk parser.
import type { StreamPart } from '@switchyard/core';
import { createOpenAIChunkParser } from '@switchyard/formats';
import { serverSentEvents, type ServerSentEvent } from '../http/text-splitters.ts';
import { streamDecoder, type StreamDecoder } from '../http/run-call.ts';
import { unreadableChunkPart } from '../http/stream-json.ts';

export function openAIStreamDecoder(): StreamDecoder {
  const events = serverSentEvents();
  const parser = createOpenAIChunkParser();
  let done = false;
  const partsOf = (batch: ServerSentEvent[]) => {
    const parts: StreamPart[] = [];
    for (const event of batch) {
      // Keep reading to the end after [DONE] so the connection can be reused.
      if (done) continue;
      if (event.data === '[DONE]') {
        done = true;
        continue;
      }
      const chunkParts = parser.parseText(event.data);
      if (chunkParts === undefined) parts.push(unreadableChunkPart());
      else for (const part of chunkParts) parts.push(part);
    }
    return parts;
  };
  return streamDecoder(events, partsOf, () => parser.finish());
}
