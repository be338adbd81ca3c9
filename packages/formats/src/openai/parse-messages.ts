// OpenAI `messages` -> canonical messages, with OpenAI-style validation errors.
import type { CanonicalMessage, ToolCall } from '@switchyard/core';
import { textOf } from '@switchyard/core';
import { parseContent } from './parse-content.ts';
import { invalid, isAbsent, requireArray, requireNonEmptyString, requireOneOf, requireRecord, requireString } from './validation.ts';

const roles = ['system', 'assistant', 'user', 'function', 'tool', 'developer'] as const;

function parseToolCalls(value: unknown, param: string): ToolCall[] {
  return requireArray(value, param).map((item, index) => {
    const callParam = `${param}[${index}]`;
    const call = requireRecord(item, callParam);
    if (call.type !== undefined) requireOneOf(call.type, `${callParam}.type`, ['function']);
    const fn = requireRecord(call.function, `${callParam}.function`);
    return {
      id: requireNonEmptyString(call.id, `${callParam}.id`),
      name: requireNonEmptyString(fn.name, `${callParam}.function.name`),
      arguments: requireString(fn.arguments, `${callParam}.function.arguments`),
    };
  });
}

function parseMessage(item: unknown, param: string): CanonicalMessage {
  const message = requireRecord(item, param);
  const role = requireOneOf(message.role, `${param}.role`, roles);
  const contentParam = `${param}.content`;
  switch (role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(parseContent(requireContent(message.content, contentParam), contentParam, { allowImages: false })) };
    case 'user':
      return { role: 'user', content: parseContent(requireContent(message.content, contentParam), contentParam, { allowImages: true }) };
    case 'assistant': {
      const hasToolCalls = !isAbsent(message.tool_calls);
      const content =
        isAbsent(message.content) && hasToolCalls ? [] : parseContent(requireContent(message.content, contentParam), contentParam, { allowImages: false });
      const toolCalls = hasToolCalls ? parseToolCalls(message.tool_calls, `${param}.tool_calls`) : [];
      return toolCalls.length > 0 ? { role: 'assistant', content, toolCalls } : { role: 'assistant', content };
    }
    case 'tool':
      return {
        role: 'tool',
        toolCallId: requireString(message.tool_call_id, `${param}.tool_call_id`),
        content: parseContent(requireContent(message.content, contentParam), contentParam, { allowImages: false }),
      };
    case 'function':
      return invalid(`${param}.role`, `Invalid value: 'function'. The legacy 'function' role is not supported; use 'tool' messages with 'tool_call_id'.`);
  }
}

function requireContent(value: unknown, param: string): unknown {
  if (value === undefined || value === null) invalid(param, `Missing required parameter: '${param}'.`);
  return value;
}

export function parseMessages(value: unknown): CanonicalMessage[] {
  if (value === undefined) invalid('messages', "Missing required parameter: 'messages'.");
  const items = requireArray(value, 'messages');
  if (items.length === 0) {
    invalid('messages', "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  }
  return items.map((item, index) => parseMessage(item, `messages[${index}]`));
}
