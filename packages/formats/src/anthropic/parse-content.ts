// Anthropic content blocks -> canonical content parts, tool calls and tool results.
import type { ContentPart, ImagePart, ToolCall, ToolResultMessage } from '@switchyard/core';
import { allowedImageUrls, imageSourceOfUrl } from '../shared/image-url.ts';
import { invalid, isAbsent, optionalBoolean, requireArray, requireOneOf, requireRecord, requireString } from './validation.ts';

export function parseImageBlock(block: Record<string, unknown>, path: string): ImagePart {
  const source = requireRecord(block.source, `${path}.source`);
  const type = requireOneOf(source.type, `${path}.source.type`, ['base64', 'url']);
  if (type === 'url') {
    const urlPath = `${path}.source.url`;
    const imageSource = imageSourceOfUrl(requireString(source.url, urlPath));
    return imageSource ? { type: 'image', source: imageSource } : invalid(urlPath, `Input should be ${allowedImageUrls}`);
  }
  return {
    type: 'image',
    source: {
      type: 'base64',
      mediaType: requireString(source.media_type, `${path}.source.media_type`),
      data: requireString(source.data, `${path}.source.data`),
    },
  };
}

/** Text and image blocks, the only ones that may appear in system prompts and tool results. */
function parsePlainBlock(block: Record<string, unknown>, path: string, allowImages: boolean): ContentPart {
  if (block.type === 'text') return { type: 'text', text: requireString(block.text, `${path}.text`) };
  if (block.type === 'image' && allowImages) return parseImageBlock(block, path);
  return unsupported(block, path);
}

function unsupported(block: Record<string, unknown>, path: string): never {
  return invalid(`${path}.type`, `content block type ${JSON.stringify(block.type)} is not supported here`);
}

export function parseTextOnly(value: unknown, path: string): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  return requireArray(value, path).map((item, index) => {
    const part = parsePlainBlock(requireRecord(item, `${path}.${index}`), `${path}.${index}`, false);
    return part.type === 'text' ? part.text : '';
  });
}

function parseToolResult(block: Record<string, unknown>, path: string): ToolResultMessage {
  const content: ContentPart[] = [];
  if (typeof block.content === 'string') {
    if (block.content !== '') content.push({ type: 'text', text: block.content });
  } else if (!isAbsent(block.content)) {
    requireArray(block.content, `${path}.content`).forEach((item, index) => {
      const blockPath = `${path}.content.${index}`;
      content.push(parsePlainBlock(requireRecord(item, blockPath), blockPath, true));
    });
  }
  const message: ToolResultMessage = { role: 'tool', toolCallId: requireString(block.tool_use_id, `${path}.tool_use_id`), content };
  if (optionalBoolean(block.is_error, `${path}.is_error`) === true) message.isError = true;
  return message;
}

export type UserBlocks = { toolResults: ToolResultMessage[]; content: ContentPart[] };

export function parseUserBlocks(blocks: unknown[], path: string): UserBlocks {
  const result: UserBlocks = { toolResults: [], content: [] };
  blocks.forEach((item, index) => {
    const blockPath = `${path}.${index}`;
    const block = requireRecord(item, blockPath);
    if (block.type === 'tool_result') result.toolResults.push(parseToolResult(block, blockPath));
    else result.content.push(parsePlainBlock(block, blockPath, true));
  });
  return result;
}

export type AssistantBlocks = { content: ContentPart[]; toolCalls: ToolCall[] };

/** Thinking blocks are replayed by clients but have no canonical form, so they are dropped. */
const droppedAssistantBlocks = new Set(['thinking', 'redacted_thinking']);

export function parseAssistantBlocks(blocks: unknown[], path: string): AssistantBlocks {
  const result: AssistantBlocks = { content: [], toolCalls: [] };
  blocks.forEach((item, index) => {
    const blockPath = `${path}.${index}`;
    const block = requireRecord(item, blockPath);
    if (block.type === 'text') {
      result.content.push({ type: 'text', text: requireString(block.text, `${blockPath}.text`) });
    } else if (block.type === 'tool_use') {
      const input = requireRecord(block.input, `${blockPath}.input`);
      result.toolCalls.push({
        id: requireString(block.id, `${blockPath}.id`),
        name: requireString(block.name, `${blockPath}.name`),
        arguments: JSON.stringify(input),
      });
    } else if (typeof block.type !== 'string' || !droppedAssistantBlocks.has(block.type)) {
      unsupported(block, blockPath);
    }
  });
  return result;
}
