// Upstream: Anthropic Messages SSE events -> canonical stream parts. Usage is split across
// message_start (input) and message_delta (output, sometimes input), so `finish` waits
// for message_stop.
import type { FinishReason, StreamPart } from '@switchyard/core';
import { z } from 'zod';
import { createJsonStringSlot } from '../shared/json-string-slot.ts';
import { isRecord } from '../shared/json.ts';
import { fromAnthropicStopReason, fromAnthropicStopSequence } from './stop-reason.ts';
import { anthropicUsageSchema, fromAnthropicUsage, type AnthropicUsage } from './usage.ts';

const messageStartSchema = z.object({
  message: z.object({ id: z.string().nullish(), model: z.string().nullish(), usage: anthropicUsageSchema.nullish() }),
});
const blockStartSchema = z.object({
  index: z.number().int(),
  content_block: z.object({
    type: z.string(),
    id: z.string().nullish(),
    name: z.string().nullish(),
    text: z.string().nullish(),
    input: z.unknown().optional(),
  }),
});
const blockDeltaSchema = z.object({
  index: z.number().int(),
  delta: z.object({ type: z.string(), text: z.string().nullish(), partial_json: z.string().nullish() }),
});
const messageDeltaSchema = z.object({
  delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
  usage: anthropicUsageSchema.nullish(),
});
const errorSchema = z.object({ error: z.object({ type: z.string().nullish(), message: z.string().nullish() }) });

const unreadable: StreamPart = { type: 'error', error: { code: 'upstream_error', message: 'upstream sent an unreadable stream event' } };

function errorPart(type: string | null | undefined, message: string): StreamPart {
  switch (type) {
    case 'overloaded_error':
      return { type: 'error', error: { code: 'upstream_overloaded', message, retryable: true } };
    case 'rate_limit_error':
      return { type: 'error', error: { code: 'upstream_rate_limited', message, retryable: true } };
    case 'api_error':
      return { type: 'error', error: { code: 'upstream_error', message, retryable: true } };
    case 'timeout_error':
      return { type: 'error', error: { code: 'upstream_timeout', message, retryable: true } };
    default:
      return { type: 'error', error: { code: 'upstream_error', message, retryable: false } };
  }
}

export type AnthropicEventParser = {
  parse(event: string, data: unknown): StreamPart[];
  /**
   * An event as its SSE name and data: the parts `parse` gives for it, undefined when the
   * data is not JSON. A text delta shaped like the one before it is read without parsing
   * the whole event (json-string-slot.ts).
   */
  parseText(event: string, text: string): StreamPart[] | undefined;
};

export function createAnthropicEventParser(): AnthropicEventParser {
  const toolIndexByBlock = new Map<number, number>();
  let usage: AnthropicUsage = {};
  let finishReason: FinishReason = 'other';
  let stopSequence: string | undefined;
  let id: string | undefined;
  let model: string | undefined;
  let finished = false;
  // The learned text delta's event name: the slot's template holds the rest of what `handle` reads.
  const textSlot = createJsonStringSlot(['delta', 'text']);
  let textEvent: string | undefined;
  let textOnly = false;

  /** Later counters replace earlier ones: Anthropic reports running totals, not increments. */
  function mergeUsage(update: AnthropicUsage | null | undefined): void {
    for (const [key, value] of Object.entries(update ?? {})) if (typeof value === 'number') usage = { ...usage, [key]: value };
  }

  function handle(type: string, data: unknown): StreamPart[] | undefined {
    switch (type) {
      case 'message_start': {
        const parsed = messageStartSchema.safeParse(data);
        if (!parsed.success) return undefined;
        id = parsed.data.message.id ?? undefined;
        model = parsed.data.message.model ?? undefined;
        mergeUsage(parsed.data.message.usage);
        return [];
      }
      case 'content_block_start': {
        const parsed = blockStartSchema.safeParse(data);
        if (!parsed.success) return undefined;
        const { index, content_block: block } = parsed.data;
        if (block.type === 'text') return block.text ? [{ type: 'text-delta', text: block.text }] : [];
        if (block.type !== 'tool_use') return [];
        const toolIndex = toolIndexByBlock.size;
        toolIndexByBlock.set(index, toolIndex);
        const parts: StreamPart[] = [{ type: 'tool-call-start', index: toolIndex, id: block.id ?? `toolu_${toolIndex}`, name: block.name ?? '' }];
        if (isRecord(block.input) && Object.keys(block.input).length > 0) {
          parts.push({ type: 'tool-call-delta', index: toolIndex, argumentsDelta: JSON.stringify(block.input) });
        }
        return parts;
      }
      case 'content_block_delta': {
        const parsed = blockDeltaSchema.safeParse(data);
        if (!parsed.success) return undefined;
        const { index, delta } = parsed.data;
        // Its only effect is its text, whatever the text: the template of the deltas that follow.
        textOnly = delta.type === 'text_delta' && typeof delta.text === 'string';
        if (delta.type === 'text_delta' && delta.text) return [{ type: 'text-delta', text: delta.text }];
        const toolIndex = toolIndexByBlock.get(index);
        if (delta.type === 'input_json_delta' && delta.partial_json && toolIndex !== undefined) {
          return [{ type: 'tool-call-delta', index: toolIndex, argumentsDelta: delta.partial_json }];
        }
        return [];
      }
      case 'message_delta': {
        const parsed = messageDeltaSchema.safeParse(data);
        if (!parsed.success) return undefined;
        const delta = parsed.data.delta;
        if (delta?.stop_reason) {
          finishReason = fromAnthropicStopReason(delta.stop_reason);
          stopSequence = fromAnthropicStopSequence(delta.stop_reason, delta.stop_sequence);
        }
        mergeUsage(parsed.data.usage);
        return [];
      }
      case 'message_stop': {
        if (finished) return [];
        finished = true;
        const part: StreamPart = { type: 'finish', finishReason, usage: fromAnthropicUsage(usage) };
        if (stopSequence !== undefined) part.stopSequence = stopSequence;
        if (model !== undefined) part.model = model;
        if (id !== undefined) part.id = id;
        return [part];
      }
      case 'error': {
        const parsed = errorSchema.safeParse(data);
        if (!parsed.success) return undefined;
        return [errorPart(parsed.data.error.type, parsed.data.error.message ?? 'upstream stream error')];
      }
      default:
        // ping and event types added after this was written.
        return [];
    }
  }

  const parser: AnthropicEventParser = {
    parse(event, data) {
      textOnly = false;
      const type = event || (isRecord(data) && typeof data.type === 'string' ? data.type : '');
      return handle(type, data) ?? [unreadable];
    },
    parseText(event, text) {
      const delta = event === textEvent ? textSlot.read(text) : undefined;
      if (delta !== undefined) return delta === '' ? [] : [{ type: 'text-delta', text: delta }];
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        return undefined;
      }
      const parts = parser.parse(event, data);
      if (textOnly) {
        textEvent = event;
        textSlot.learn(text, data);
      }
      return parts;
    },
  };
  return parser;
}
