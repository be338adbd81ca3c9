// Upstream: OpenAI `chat.completion.chunk` objects -> canonical stream parts. The usage
// chunk arrives after the finish_reason chunk, so `finish` is only emitted by finish().
import type { FinishReason, StreamPart, Usage } from '@switchyard/core';
import { z } from 'zod';
import { createJsonStringSlot } from '../shared/json-string-slot.ts';
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

type ChunkData = z.infer<typeof chunkSchema>;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringOrAbsent = (value: unknown): boolean => value === undefined || value === null || typeof value === 'string';

/**
 * The chunk itself when it has the shape nearly every chunk has (text deltas, a finish
 * reason, no tool calls, no usage), checked field by field; undefined otherwise, and
 * `chunkSchema` decides. Same verdict as the schema for these chunks, without the
 * schema's copy of every object: run on every token of every stream, zod's parse was
 * ~10% of what a streaming worker allocates.
 */
function commonChunk(chunk: unknown): ChunkData | undefined {
  if (!isRecord(chunk) || !isStringOrAbsent(chunk.id) || !isStringOrAbsent(chunk.model)) return undefined;
  if (chunk.usage !== undefined && chunk.usage !== null) return undefined;
  const choices = chunk.choices;
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return undefined;
    for (const choice of choices) {
      if (!isRecord(choice) || !isStringOrAbsent(choice.finish_reason)) return undefined;
      const delta = choice.delta;
      if (delta === undefined || delta === null) continue;
      if (!isRecord(delta) || !isStringOrAbsent(delta.content)) return undefined;
      if (delta.tool_calls !== undefined && delta.tool_calls !== null) return undefined;
    }
  }
  return chunk as ChunkData;
}

// OpenAI sends `{error: {message, ...}}`; some compatible servers send a bare string.
const errorChunkSchema = z.object({ error: z.union([z.string(), z.object({ message: z.string().nullish() })]) });

/**
 * A chunk whose only effect is its one choice's text: no finish reason, tool calls, usage
 * or error. Learned as the template of the chunks that follow (json-string-slot.ts).
 */
function isTextOnlyChunk(chunk: unknown, data: ChunkData): boolean {
  if (!isRecord(chunk) || 'error' in chunk || data.usage) return false;
  const [choice, ...others] = data.choices ?? [];
  return choice !== undefined && others.length === 0 && !choice.finish_reason && typeof choice.delta?.content === 'string' && !choice.delta.tool_calls;
}

const textPath = ['choices', 0, 'delta', 'content'] as const;

export type OpenAIChunkParser = {
  parse(chunk: unknown): StreamPart[];
  /**
   * A chunk as its SSE data: the parts `parse` gives for it, undefined when it is not JSON.
   * A text delta shaped like the one before it is read without parsing the whole chunk.
   */
  parseText(text: string): StreamPart[] | undefined;
  finish(): StreamPart[];
};

export function createOpenAIChunkParser(): OpenAIChunkParser {
  const startedToolIndexes = new Set<number>();
  let finishReason: FinishReason | undefined;
  let usage: Usage | undefined;
  let id: string | undefined;
  let model: string | undefined;
  let finished = false;
  const textSlot = createJsonStringSlot(textPath);
  let textOnly = false;

  const parser: OpenAIChunkParser = {
    parseText(text) {
      const delta = textSlot.read(text);
      // The learned chunk with another text: its only effect is that text (see isTextOnlyChunk).
      if (delta !== undefined) return delta === '' ? [] : [{ type: 'text-delta', text: delta }];
      let chunk: unknown;
      try {
        chunk = JSON.parse(text);
      } catch {
        return undefined;
      }
      const parts = parser.parse(chunk);
      if (textOnly) textSlot.learn(text, chunk);
      return parts;
    },

    parse(chunk) {
      textOnly = false;
      // Checked cheaply first: a failed zod parse on every normal chunk is measurable.
      const errorChunk = typeof chunk === 'object' && chunk !== null && 'error' in chunk ? errorChunkSchema.safeParse(chunk) : undefined;
      if (errorChunk?.success) {
        const { error } = errorChunk.data;
        const message = (typeof error === 'string' ? error : error.message) || 'upstream stream error';
        return [{ type: 'error', error: { code: 'upstream_error', message } }];
      }
      let data = commonChunk(chunk);
      if (!data) {
        const parsed = chunkSchema.safeParse(chunk);
        if (!parsed.success) {
          return [{ type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream chunk' } }];
        }
        data = parsed.data;
      }
      textOnly = isTextOnlyChunk(chunk, data);
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
  return parser;
}
