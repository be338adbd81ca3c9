// A finished chat answer told again as the stream parts that would have produced it, for
// a job whose token stream is gone (expired, or it never streamed) but whose stored body,
// the endpoint's own non-stream response, remains.
import { textOf, type ChatResponse, type InferenceEndpoint, type StreamPart } from '@switchyard/core';
import { fromAnthropicMessagesResponse } from '../anthropic/messages-response.ts';
import { fromOpenAIChatResponse } from '../openai/chat-response.ts';

/** Undefined when the body is not a chat body of the endpoint. */
export function retellResponse(endpoint: InferenceEndpoint, body: unknown): StreamPart[] | undefined {
  if (endpoint !== '/v1/chat/completions' && endpoint !== '/v1/messages') return undefined;
  let response: ChatResponse;
  try {
    response = endpoint === '/v1/messages' ? fromAnthropicMessagesResponse(body) : fromOpenAIChatResponse(body);
  } catch {
    return undefined;
  }
  return streamPartsOf(response);
}

export function streamPartsOf(response: ChatResponse): StreamPart[] {
  const parts: StreamPart[] = [];
  const text = textOf(response.content);
  if (text !== '') parts.push({ type: 'text-delta', text });
  for (const [index, call] of response.toolCalls.entries()) {
    parts.push({ type: 'tool-call-start', index, id: call.id, name: call.name });
    if (call.arguments !== '') parts.push({ type: 'tool-call-delta', index, argumentsDelta: call.arguments });
  }
  const finish: StreamPart = { type: 'finish', finishReason: response.finishReason, usage: response.usage };
  if (response.model) finish.model = response.model;
  if (response.id) finish.id = response.id;
  if (response.stopSequence !== undefined) finish.stopSequence = response.stopSequence;
  parts.push(finish);
  return parts;
}
