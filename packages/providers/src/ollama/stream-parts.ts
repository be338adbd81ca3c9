// Ollama's NDJSON chat stream -> canonical stream parts.
import type { StreamPart } from '@switchyard/core';
import { safeDetail } from '../errors/safe-detail.ts';
import type { CallSignal } from '../http/call-signal.ts';
import type { HttpContext } from '../http/http-context.ts';
import { readJsonLines } from '../http/read-body.ts';
import { parseJsonOrUndefined, unreadableChunkPart } from '../http/stream-json.ts';
import type { UpstreamResponse } from '../http/upstream-response.ts';
import { chatLineSchema, finishReasonOf, toolCallsOf, usageOf } from './response.ts';

export async function* ollamaStreamParts(response: UpstreamResponse, call: CallSignal, context: HttpContext): AsyncGenerator<StreamPart> {
  let toolCallCount = 0;
  let ended = false;
  for await (const text of readJsonLines(response.body, call, context)) {
    // Read on to the end after the last line so the connection can be reused.
    if (ended) continue;
    const parsed = chatLineSchema.safeParse(parseJsonOrUndefined(text));
    if (!parsed.success) {
      yield unreadableChunkPart();
      continue;
    }
    const line = parsed.data;
    if (line.error) {
      // Ollama reports a failure mid-stream as a line of its own and stops.
      yield { type: 'error', error: { code: 'upstream_error', message: `${context.provider}: ${safeDetail(line.error, context.secrets)}`, retryable: true } };
      ended = true;
      continue;
    }
    if (line.message?.content) yield { type: 'text-delta', text: line.message.content };
    for (const toolCall of toolCallsOf(line)) {
      const index = toolCallCount++;
      yield { type: 'tool-call-start', index, id: toolCall.id, name: toolCall.name };
      yield { type: 'tool-call-delta', index, argumentsDelta: toolCall.arguments };
    }
    if (line.done) {
      const finish: StreamPart = { type: 'finish', finishReason: finishReasonOf(line.done_reason, toolCallCount > 0), usage: usageOf(line) };
      if (line.model) finish.model = line.model;
      yield finish;
      ended = true;
    }
  }
  if (!ended) yield { type: 'error', error: { code: 'upstream_error', message: `${context.provider} ended the stream before it was done`, retryable: true } };
}
