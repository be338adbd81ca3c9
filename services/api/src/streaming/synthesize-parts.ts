// A finished job whose token stream is gone (expired, or it never streamed): its stored
// output, the endpoint's non-stream body, told again as stream parts.
import { textOf, type InferenceEndpoint, type StreamPart } from '@switchyard/core';
import { fromAnthropicMessagesResponse, fromOpenAIChatResponse } from '@switchyard/formats';

/** Undefined when the output is not a chat body of the endpoint. */
export function partsFromOutput(endpoint: InferenceEndpoint, output: unknown): StreamPart[] | undefined {
  if (endpoint !== '/v1/chat/completions' && endpoint !== '/v1/messages') return undefined;
  let response;
  try {
    response = endpoint === '/v1/messages' ? fromAnthropicMessagesResponse(output) : fromOpenAIChatResponse(output);
  } catch {
    return undefined;
  }
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
