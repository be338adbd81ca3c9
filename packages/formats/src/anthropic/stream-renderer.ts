// Canonical stream parts -> the Anthropic Messages SSE event sequence: message_start,
// content blocks (start / delta / stop, one open at a time), message_delta, message_stop.
import type { StreamPart } from '@switchyard/core';
import { errorTypeForCode } from '../shared/error-type.ts';
import { jsonTemplate, type JsonTemplate } from '../shared/json-template.ts';
import { toAnthropicErrorType } from './render-error.ts';
import { toAnthropicStop } from './stop-reason.ts';
import { toAnthropicUsage } from './usage.ts';

export type AnthropicStreamEvent = { event: string; data: Record<string, unknown> };
export type AnthropicStreamMeta = { id: string; model: string; inputTokens?: number };

export type AnthropicStreamRenderer = {
  push(part: StreamPart): AnthropicStreamEvent[];
  /**
   * The data JSON of the one `content_block_delta` event `push` would give for a text delta
   * while a text block is open, built from a template (only the text is serialized).
   * Undefined otherwise (no open text block, ended, empty text); then use `push`.
   */
  textDeltaJson(text: string): string | undefined;
};

export function createAnthropicStreamRenderer(meta: AnthropicStreamMeta): AnthropicStreamRenderer {
  let textTemplate: { index: number; template: JsonTemplate } | undefined;
  let started = false;
  let ended = false;
  let blockCount = 0;
  let openBlock: { index: number; kind: 'text' | 'tool' } | undefined;
  const blockIndexByToolIndex = new Map<number, number>();

  const event = (name: string, data: Record<string, unknown>): AnthropicStreamEvent => ({ event: name, data: { type: name, ...data } });
  const textDelta = (index: number, text: string) => event('content_block_delta', { index, delta: { type: 'text_delta', text } });

  function messageStart(): AnthropicStreamEvent {
    started = true;
    return event('message_start', {
      message: {
        id: meta.id,
        type: 'message',
        role: 'assistant',
        model: meta.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: meta.inputTokens ?? 0, output_tokens: 0 },
      },
    });
  }

  function closeOpenBlock(): AnthropicStreamEvent[] {
    if (openBlock === undefined) return [];
    const stop = event('content_block_stop', { index: openBlock.index });
    openBlock = undefined;
    return [stop];
  }

  function startBlock(kind: 'text' | 'tool', contentBlock: Record<string, unknown>): AnthropicStreamEvent[] {
    const events = closeOpenBlock();
    openBlock = { index: blockCount++, kind };
    events.push(event('content_block_start', { index: openBlock.index, content_block: contentBlock }));
    return events;
  }

  function render(part: StreamPart): AnthropicStreamEvent[] {
    switch (part.type) {
      case 'text-delta': {
        if (part.text === '') return [];
        const events = openBlock?.kind === 'text' ? [] : startBlock('text', { type: 'text', text: '' });
        events.push(textDelta(blockCount - 1, part.text));
        return events;
      }
      case 'tool-call-start': {
        const events = startBlock('tool', { type: 'tool_use', id: part.id, name: part.name, input: {} });
        blockIndexByToolIndex.set(part.index, blockCount - 1);
        return events;
      }
      case 'tool-call-delta': {
        const index = blockIndexByToolIndex.get(part.index);
        if (index === undefined || part.argumentsDelta === '') return [];
        return [event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part.argumentsDelta } })];
      }
      case 'finish': {
        ended = true;
        // An empty answer still gets a text block, as the SDK's finalText() requires one.
        const events = blockCount === 0 ? startBlock('text', { type: 'text', text: '' }) : [];
        events.push(...closeOpenBlock());
        events.push(event('message_delta', { delta: toAnthropicStop(part), usage: toAnthropicUsage(part.usage) }), event('message_stop', {}));
        return events;
      }
      case 'error':
        ended = true;
        return [
          { event: 'error', data: { type: 'error', error: { type: toAnthropicErrorType(errorTypeForCode(part.error.code)), message: part.error.message } } },
        ];
    }
  }

  return {
    textDeltaJson(text) {
      if (ended || openBlock?.kind !== 'text' || text === '') return undefined;
      const index = blockCount - 1;
      if (textTemplate?.index !== index) textTemplate = { index, template: jsonTemplate(textDelta(index, '').data, '"text":""') };
      return textTemplate.template.fill(text);
    },
    push(part) {
      if (ended) return [];
      if (part.type === 'error') return render(part);
      return started ? render(part) : [messageStart(), ...render(part)];
    },
  };
}
