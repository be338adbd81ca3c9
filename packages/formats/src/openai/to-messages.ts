// Canonical messages -> OpenAI `messages` for an upstream OpenAI-dialect server.
import type { CanonicalMessage, ContentPart } from '@switchyard/core';
import { textOf } from '@switchyard/core';
import { toOpenAIToolCall } from './render-chat-completion.ts';

function toOpenAIPart(part: ContentPart): Record<string, unknown> {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url = part.source.type === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: { url } };
}

/** Plain text stays a string: many OpenAI-dialect servers accept nothing else. */
function toOpenAIContent(content: ContentPart[]): string | Record<string, unknown>[] {
  if (content.every((part) => part.type === 'text')) return textOf(content);
  return content.map(toOpenAIPart);
}

export function toOpenAIMessage(message: CanonicalMessage): Record<string, unknown> {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: toOpenAIContent(message.content) };
    case 'assistant': {
      const text = textOf(message.content);
      const toolCalls = message.toolCalls ?? [];
      if (toolCalls.length === 0) return { role: 'assistant', content: text };
      return { role: 'assistant', content: text === '' ? null : text, tool_calls: toolCalls.map(toOpenAIToolCall) };
    }
    case 'tool':
      // OpenAI tool messages take text only.
      return { role: 'tool', tool_call_id: message.toolCallId, content: textOf(message.content) };
  }
}
