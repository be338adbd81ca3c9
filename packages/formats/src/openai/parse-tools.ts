// OpenAI `tools` and `tool_choice` -> canonical tool definitions and choice.
import type { ToolChoice, ToolDefinition } from '@switchyard/core';
import { invalid, isAbsent, optionalString, requireArray, requireOneOf, requireRecord, requireString } from './validation.ts';

const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** A function without `parameters` takes no arguments; canonical tools always carry a schema. */
export const emptyParameters: Record<string, unknown> = { type: 'object', properties: {} };

export function parseTools(value: unknown): ToolDefinition[] | undefined {
  if (isAbsent(value)) return undefined;
  const tools = requireArray(value, 'tools').map((item, index): ToolDefinition => {
    const param = `tools[${index}]`;
    const tool = requireRecord(item, param);
    requireOneOf(tool.type, `${param}.type`, ['function']);
    const fn = requireRecord(tool.function, `${param}.function`);
    const name = requireString(fn.name, `${param}.function.name`);
    if (!toolNamePattern.test(name)) {
      invalid(
        `${param}.function.name`,
        `Invalid '${param}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.`,
      );
    }
    const description = optionalString(fn.description, `${param}.function.description`);
    const parameters = isAbsent(fn.parameters) ? emptyParameters : requireRecord(fn.parameters, `${param}.function.parameters`);
    return description === undefined ? { name, parameters } : { name, description, parameters };
  });
  return tools.length > 0 ? tools : undefined;
}

export function parseToolChoice(value: unknown): ToolChoice | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return requireOneOf(value, 'tool_choice', ['none', 'auto', 'required']);
  const choice = requireRecord(value, 'tool_choice');
  requireOneOf(choice.type, 'tool_choice.type', ['function']);
  const fn = requireRecord(choice.function, 'tool_choice.function');
  return { type: 'tool', name: requireString(fn.name, 'tool_choice.function.name') };
}
