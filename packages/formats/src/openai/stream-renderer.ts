// Canonical stream parts -> OpenAI `chat.completion.chunk` objects, in the order and shape
// OpenAI sends them, so the SDK's stream helpers accumulate the same message.
import type { StreamPart } from '@switchyard/core';
import { errorTypeForCode } from '../shared/error-type.ts';
import { jsonTemplate, type JsonTemplate } from '../shared/json-template.ts';
import { toOpenAIFinishReason } from './finish-reason.ts';
import { toOpenAIUsage } from './usage.ts';

export type OpenAIStreamMeta = { id: string; created: number; model: string; includeUsage: boolean };

export type OpenAIStreamRenderer = {
  push(part: StreamPart): Record<string, unknown>[];
  /**
   * The JSON of the chunk `push` would give for a text delta, built from a template (only
   * the text is serialized), when that is one plain chunk: the stream is past its opening,
   * not ended, and the text is not empty. Undefined otherwise; then use `push`.
   */
  textDeltaJson(text: string): string | undefined;
};

export function createOpenAIStreamRenderer(meta: OpenAIStreamMeta): OpenAIStreamRenderer {
  let started = false;
  let ended = false;
  let textTemplate: JsonTemplate | undefined;

  function chunk(choices: unknown[], usage: unknown = null): Record<string, unknown> {
    const value: Record<string, unknown> = {
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      system_fingerprint: null,
      choices,
    };
    // OpenAI only sends the `usage` key when it was asked for.
    if (meta.includeUsage) value.usage = usage;
    return value;
  }

  function choice(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    return chunk([{ index: 0, delta, logprobs: null, finish_reason: finishReason }]);
  }

  /** OpenAI's first chunk carries the role; a tool-only answer starts with content null. */
  function opening(part: StreamPart): Record<string, unknown>[] {
    started = true;
    if (part.type === 'tool-call-start') return [];
    return [choice({ role: 'assistant', content: '', refusal: null })];
  }

  function render(part: StreamPart, first: boolean): Record<string, unknown>[] {
    switch (part.type) {
      case 'text-delta':
        return part.text === '' ? [] : [choice({ content: part.text })];
      case 'tool-call-start': {
        const toolCalls = [{ index: part.index, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }];
        return [choice(first ? { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null } : { tool_calls: toolCalls })];
      }
      case 'tool-call-delta':
        if (part.argumentsDelta === '') return [];
        return [choice({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] })];
      case 'finish': {
        ended = true;
        const chunks = [choice({}, toOpenAIFinishReason(part.finishReason))];
        if (meta.includeUsage) chunks.push(chunk([], toOpenAIUsage(part.usage)));
        return chunks;
      }
      case 'error':
        ended = true;
        return [{ error: { message: part.error.message, type: errorTypeForCode(part.error.code), code: part.error.code } }];
    }
  }

  return {
    textDeltaJson(text) {
      if (!started || ended || text === '') return undefined;
      textTemplate ??= jsonTemplate(choice({ content: '' }), '"content":""');
      return textTemplate.fill(text);
    },
    push(part) {
      if (ended) return [];
      if (part.type === 'error') return render(part, false);
      const first = !started;
      const head = first ? opening(part) : [];
      return [...head, ...render(part, first)];
    },
  };
}
