import type { ChatResponse, CompletionResponse, EmbeddingsResponse, InferenceJobData } from '@switchyard/core';
import {
  renderAnthropicMessage,
  renderOpenAIChatCompletion,
  renderOpenAICompletion,
  renderOpenAIEmbeddings,
} from '@switchyard/formats';

/** Response ids derive from the request id, so a retried job answers with the same id. */
const idSuffix = (requestId: string): string => requestId.replace(/^req_/, '');

/** The body the client's endpoint returns, in that endpoint's own format. */
export function renderChatOutput(data: InferenceJobData, response: ChatResponse, servedModel: string): unknown {
  const created = Math.floor(data.createdAt / 1000);
  if (data.endpoint === '/v1/messages') {
    return renderAnthropicMessage(response, { id: `msg_${idSuffix(data.requestId)}`, model: servedModel });
  }
  return renderOpenAIChatCompletion(response, { id: `chatcmpl-${idSuffix(data.requestId)}`, created, model: servedModel });
}

export function renderEmbeddingsOutput(response: EmbeddingsResponse, servedModel: string, encodingFormat: 'float' | 'base64'): unknown {
  return renderOpenAIEmbeddings(response, { model: servedModel, encodingFormat });
}

export function renderCompletionOutput(data: InferenceJobData, response: CompletionResponse, servedModel: string): unknown {
  return renderOpenAICompletion(response, { id: `cmpl-${idSuffix(data.requestId)}`, created: Math.floor(data.createdAt / 1000), model: servedModel });
}
