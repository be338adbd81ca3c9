// The built-in mock's deterministic answer, so the whole gateway runs, and tests predict
// its output, without any provider.
import { newId, textOf, type ChatRequest, type ChatResponse, type FinishReason, type ToolCall } from '@switchyard/core';

const promptEcho = 200;

/** Words with their leading whitespace (trailing whitespace rides on the last), so streamed deltas join back to the text. */
export function wordPieces(text: string): string[] {
  const pieces = text.match(/\s*\S+/g) ?? [];
  const joinedLength = pieces.reduce((length, piece) => length + piece.length, 0);
  if (pieces.length > 0 && joinedLength < text.length) pieces[pieces.length - 1] += text.slice(joinedLength);
  return pieces;
}

export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

export function mockText(prompt: string): string {
  return `This is a mock response to: ${prompt.slice(0, promptEcho)}`;
}

export type MockAnswer = { pieces: string[]; toolCall?: ToolCall; finishReason: FinishReason; inputTokens: number; outputTokens: number };

/** Cuts the answer to `maxTokens` words. */
export function truncate(pieces: string[], maxTokens: number | undefined): { pieces: string[]; truncated: boolean } {
  if (maxTokens === undefined || pieces.length <= maxTokens) return { pieces, truncated: false };
  return { pieces: pieces.slice(0, maxTokens), truncated: true };
}

export function answerChat(request: ChatRequest): MockAnswer {
  let characters = 0;
  let lastUserText = '';
  for (const message of request.messages) {
    const text = message.role === 'system' ? message.content : textOf(message.content);
    characters += text.length;
    if (message.role === 'user') lastUserText = text;
  }
  const inputTokens = estimateTokens(characters);
  const forcedTool = forcedToolOf(request);
  if (forcedTool !== undefined) {
    const toolCall = { id: newId('call'), name: forcedTool, arguments: '{}' };
    return { pieces: [], toolCall, finishReason: 'tool_calls', inputTokens, outputTokens: 1 };
  }
  const { pieces, truncated } = truncate(wordPieces(mockText(lastUserText)), request.maxTokens);
  return { pieces, finishReason: truncated ? 'length' : 'stop', inputTokens, outputTokens: pieces.length };
}

function forcedToolOf(request: ChatRequest): string | undefined {
  const [firstTool] = request.tools ?? [];
  if (!firstTool) return undefined;
  if (request.toolChoice === 'required') return firstTool.name;
  if (typeof request.toolChoice === 'object') return request.toolChoice.name;
  return undefined;
}

export function toChatResponse(request: ChatRequest, answer: MockAnswer): ChatResponse {
  const text = answer.pieces.join('');
  return {
    id: newId('mock'),
    model: request.model,
    content: text ? [{ type: 'text', text }] : [],
    toolCalls: answer.toolCall ? [answer.toolCall] : [],
    finishReason: answer.finishReason,
    usage: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
  };
}
