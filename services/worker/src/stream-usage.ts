// Usage of a streamed attempt. Providers report it at the end of a stream; an attempt cut
// short (client gone, upstream failure) or an upstream that reports none is estimated
// from the text, at about four characters per token, and flagged.
import type { ChatRequest, Usage } from '@switchyard/core';

export const estimateTokens = (characters: number): number => Math.ceil(characters / 4);

export function requestCharacters(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    if (message.role === 'system') {
      characters += message.content.length;
      continue;
    }
    for (const part of message.content) if (part.type === 'text') characters += part.text.length;
    if (message.role === 'assistant') for (const call of message.toolCalls ?? []) characters += call.arguments.length;
  }
  return characters;
}

/** The provider's usage when it reported one, else an estimate that keeps any number it did report. */
export function streamUsage(reported: Usage | undefined, request: ChatRequest, outputCharacters: number): Usage {
  if (reported && !reported.estimated) return reported;
  return {
    inputTokens: reported?.inputTokens || estimateTokens(requestCharacters(request)),
    outputTokens: reported?.outputTokens || estimateTokens(outputCharacters),
    estimated: true,
  };
}
