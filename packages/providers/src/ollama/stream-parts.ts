// Ollama's NDJSON chat stream -> canonical stream parts.
import type { StreamPart } from '@switchyard/core';
import { safeDetail } from '../errors/safe-detail.ts';
import type { HttpContext } from '../http/http-context.ts';
import { jsonLines } from '../http/text-splitters.ts';
import { streamDecoder, type StreamDecoder } from '../http/run-call.ts';
import { endedEarlyPart, parseJsonOrUndefined, unreadableChunkPart } from '../http/stream-json.ts';
import { chatLineSchema, finishReasonOf, toolCallsOf, usageOf } from './response.ts';

export function ollamaStreamDecoder(context: HttpContext): StreamDecoder {
  const lines = jsonLines();
  let toolCallCount = 0;
  let ended = false;
  const partsOf = (batch: string[]) => {
    const parts: StreamPart[] = [];
    for (const text of batch) {
      // Read on to the end after the last line so the connection can be reused.
      if (ended) continue;
      const parsed = chatLineSchema.safeParse(parseJsonOrUndefined(text));
      if (!parsed.success) {
        parts.push(unreadableChunkPart());
        continue;
      }
      const line = parsed.data;
      if (line.error) {
        // Ollama reports a failure mid-stream as a line of its own and stops.
        parts.push({
          type: 'error',
          error: { code: 'upstream_error', message: `${context.provider}: ${safeDetail(line.error, context.secrets)}`, retryable: true },
        });
        ended = true;
        continue;
      }
      if (line.message?.content) parts.push({ type: 'text-delta', text: line.message.content });
      for (const toolCall of toolCallsOf(line)) {
        const index = toolCallCount++;
        parts.push({ type: 'tool-call-start', index, id: toolCall.id, name: toolCall.name });
        parts.push({ type: 'tool-call-delta', index, argumentsDelta: toolCall.arguments });
      }
      if (line.done) {
        const finish: StreamPart = { type: 'finish', finishReason: finishReasonOf(line.done_reason, toolCallCount > 0), usage: usageOf(line) };
        if (line.model) finish.model = line.model;
        parts.push(finish);
        ended = true;
      }
    }
    return parts;
  };
  return streamDecoder(lines, partsOf, () => (ended ? [] : [endedEarlyPart(context.provider, 'it was done')]));
}
