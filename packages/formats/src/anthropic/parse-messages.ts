// Anthropic `system` + `messages` -> canonical messages. A user turn that carries
// tool_result blocks becomes canonical tool messages followed by the rest of its content.
import type { CanonicalMessage } from '@switchyard/core';
import { parseAssistantBlocks, parseTextOnly, parseUserBlocks } from './parse-content.ts';
import { invalid, isAbsent, requireArray, requireOneOf, requireRecord } from './validation.ts';

export function parseSystem(value: unknown): CanonicalMessage[] {
  if (isAbsent(value)) return [];
  return parseTextOnly(value, 'system').map((text) => ({ role: 'system', content: text }));
}

function parseMessage(item: unknown, path: string): CanonicalMessage[] {
  const message = requireRecord(item, path);
  const role = requireOneOf(message.role, `${path}.role`, ['user', 'assistant', 'system']);
  const contentPath = `${path}.content`;
  if (message.content === undefined) invalid(contentPath, 'Field required');
  if (role === 'system') return parseTextOnly(message.content, contentPath).map((text) => ({ role: 'system', content: text }));

  if (typeof message.content === 'string') {
    const content = message.content === '' ? [] : [{ type: 'text' as const, text: message.content }];
    return [{ role, content }];
  }
  const blocks = requireArray(message.content, contentPath);
  if (role === 'assistant') {
    const { content, toolCalls } = parseAssistantBlocks(blocks, contentPath);
    return [toolCalls.length > 0 ? { role, content, toolCalls } : { role, content }];
  }
  const { toolResults, content } = parseUserBlocks(blocks, contentPath);
  if (toolResults.length === 0) return [{ role, content }];
  return content.length > 0 ? [...toolResults, { role, content }] : toolResults;
}

export function parseMessages(value: unknown): CanonicalMessage[] {
  const items = requireArray(value, 'messages');
  if (items.length === 0) invalid('messages', 'at least one message is required');
  return items.flatMap((item, index) => parseMessage(item, `messages.${index}`));
}
