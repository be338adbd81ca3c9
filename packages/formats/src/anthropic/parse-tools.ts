// Anthropic `tools` and `tool_choice` -> canonical tool definitions and choice.
import type { ToolChoice, ToolDefinition } from '@switchyard/core';
import { invalid, isAbsent, optionalBoolean, optionalString, requireArray, requireOneOf, requireRecord, requireString } from './validation.ts';

export function parseTools(value: unknown): ToolDefinition[] | undefined {
  if (isAbsent(value)) return undefined;
  const tools = requireArray(value, 'tools').map((item, index): ToolDefinition => {
    const path = `tools.${index}`;
    const tool = requireRecord(item, path);
    // Server tools (web search, code execution, ...) run inside Anthropic; a gateway cannot offer them.
    if (!isAbsent(tool.type) && tool.type !== 'custom') {
      invalid(`${path}.type`, `tool type ${JSON.stringify(tool.type)} is not supported; only custom tools are`);
    }
    const name = requireString(tool.name, `${path}.name`);
    const description = optionalString(tool.description, `${path}.description`);
    const parameters = requireRecord(tool.input_schema, `${path}.input_schema`);
    return description === undefined ? { name, parameters } : { name, description, parameters };
  });
  return tools.length > 0 ? tools : undefined;
}

export type ParsedToolChoice = { toolChoice?: ToolChoice; parallelToolCalls?: boolean };

export function parseToolChoice(value: unknown): ParsedToolChoice {
  if (isAbsent(value)) return {};
  const choice = requireRecord(value, 'tool_choice');
  const type = requireOneOf(choice.type, 'tool_choice.type', ['auto', 'any', 'tool', 'none']);
  const result: ParsedToolChoice = {};
  if (type === 'auto') result.toolChoice = 'auto';
  if (type === 'any') result.toolChoice = 'required';
  if (type === 'none') result.toolChoice = 'none';
  if (type === 'tool') result.toolChoice = { type: 'tool', name: requireString(choice.name, 'tool_choice.name') };
  if (optionalBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use') === true) result.parallelToolCalls = false;
  return result;
}
