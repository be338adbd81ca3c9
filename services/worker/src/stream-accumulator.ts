// Stream parts -> the ChatResponse a non-stream call would have returned, so a streamed
// job's stored output is the same body the endpoint answers without streaming.
import type { ChatResponse, StreamPart, ToolCall, Usage } from '@switchyard/core';

export type StreamAccumulator = {
  add(part: StreamPart): void;
  /** Characters of text and tool arguments received so far (the output estimate's input). */
  readonly outputCharacters: number;
  toResponse(finish: Extract<StreamPart, { type: 'finish' }>, options: { fallbackModel: string; usage: Usage }): ChatResponse;
};

export function createStreamAccumulator(): StreamAccumulator {
  let text = '';
  let outputCharacters = 0;
  const toolCalls = new Map<number, ToolCall>();

  return {
    add(part) {
      switch (part.type) {
        case 'text-delta':
          text += part.text;
          outputCharacters += part.text.length;
          return;
        case 'tool-call-start':
          toolCalls.set(part.index, { id: part.id, name: part.name, arguments: '' });
          outputCharacters += part.name.length;
          return;
        case 'tool-call-delta': {
          const call = toolCalls.get(part.index);
          if (call) call.arguments += part.argumentsDelta;
          outputCharacters += part.argumentsDelta.length;
          return;
        }
        case 'finish':
        case 'error':
          return;
      }
    },
    get outputCharacters() {
      return outputCharacters;
    },
    toResponse(finish, options) {
      const response: ChatResponse = {
        model: finish.model ?? options.fallbackModel,
        content: text === '' ? [] : [{ type: 'text', text }],
        toolCalls: [...toolCalls.entries()].sort(([left], [right]) => left - right).map(([, call]) => call),
        finishReason: finish.finishReason,
        usage: options.usage,
      };
      if (finish.id !== undefined) response.id = finish.id;
      if (finish.stopSequence !== undefined) response.stopSequence = finish.stopSequence;
      return response;
    },
  };
}
