// Upstream: OpenAI `chat.completion.chunk` objects -> canonical stream parts. The usage
// chunk arrives after the finish_reason chunk, so `finish` is only emitted by finish().
import type { FinishReason, StreamPart, Usage } from '@switchyard/core';
import { z } from 'zod';
import { unreportedUsage } from '../shared/usage.ts';
import { fromOpenAIFinishReason } from './finish-reason.ts';
import { fromOpenAIUsage, openAIUsageSchema } from './usage.ts';

const chunkSchema = z.object({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number().int().nonnegative().nullish(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: openAIUsageSchema.nullish(),
});

// OpenAI sends `{error: {message, ...}}`; some compatible servers send a bare string.
const errorChunkSchema = z.object({ error: z.union([z.string(), z.object({ message: z.string().nullish() })]) });

export type OpenAIChunkParser = { parse(chunk: unknown): StreamPart[]; finish(): StreamPart[] };

export function createOpenAIChunkParser(): OpenAIChunkParser {
  const startedToolIndexes = new Set<number>();
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  let id: string | undefined;
  let model: string | undefined;
  let finished = false;

  return {
    parse(chunk) {
      // Checked cheaply first: a failed zod parse on every normal chunk is measurable.
      const errorChunk = typeof chunk === 'object' && chunk !== null && 'error' in chunk ? errorChunkSchema.safeParse(chunk) : undefined;
      if (errorChunk?.success) {
        const { error } = errorChunk.data;
        const message = (typeof error === 'string' ? error : error.message) || 'upstream stream error';
        return [{ type: 'error', error: { code: 'upstream_error', message } }];
      }
      const parsed = chunkSchema.safeParse(chunk);
      if (!parsed.success) {
        return [{ type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream chunk' } }];
      }
      const data = parsed.data;
      id ??= data.id ?? undefined;
      model ??= data.model ?? undefined;
      if (data.usage) usage = fromOpenAIUsage(data.usage);

      const parts: StreamPart[] = [];
      for (const choice of data.choices ?? []) {
        const content = choice.delta?.content;
        if (content) parts.push({ type: 'text-delta', text: content });
        for (const [position, call] of (choice.delta?.tool_calls ?? []).entries()) {
          // A few OpenAI-dialect servers omit the index when they send one call per chunk.
          const index = call.index ?? position;
          if (!startedToolIndexes.has(index)) {
            startedToolIndexes.add(index);
            parts.push({ type: 'tool-call-start', index, id: call.id || `call_${index}`, name: call.function?.name ?? '' });
          }
          const argumentsDelta = call.function?.arguments;
          if (argumentsDelta) parts.push({ type: 'tool-call-delta', index, argumentsDelta });
        }
        if (choice.finish_reason) finishReason = fromOpenAIFinishReason(choice.finish_reason);
      }
      return parts;
    },

    finish() {
      if (finished) return [];
      finished = true;
      const part: StreamPart = { type: 'finish', finishReason: finishReason ?? 'other', usage: usage ?? unreportedUsage() };
      if (model !== undefined) part.model = model;
      if (id !== undefined) part.id = id;
      return [part];
    },
  };
}
