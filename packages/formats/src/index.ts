// OpenAI <-> canonical <-> Anthropic translation. Pure functions, no I/O.

// Answers by endpoint: the one place that picks a renderer and names a response's id
export { responseId, type IdentifiedEndpoint } from './response/response-id.ts';
export { renderResponse, type CanonicalResult, type ResponseMeta } from './response/render-response.ts';
export { createStreamResponseRenderer, type SseEvent, type StreamResponseMeta, type StreamResponseRenderer } from './response/render-stream.ts';
export { retellResponse, streamPartsOf } from './response/retell-response.ts';

// OpenAI, ingress (what clients send us and what we answer)
export { parseOpenAIChatRequest, type ParsedOpenAIChatRequest } from './openai/parse-chat-request.ts';
export { parseOpenAIEmbeddingsRequest, type ParsedOpenAIEmbeddingsRequest } from './openai/parse-embeddings-request.ts';
export { parseOpenAICompletionRequest, type ParsedOpenAICompletionRequest } from './openai/parse-completion-request.ts';
export { renderOpenAIChatCompletion, type OpenAIRenderMeta } from './openai/render-chat-completion.ts';
export { renderOpenAIEmbeddings } from './openai/render-embeddings.ts';
export { renderOpenAICompletion } from './openai/render-completion.ts';
export { createOpenAIStreamRenderer, type OpenAIStreamMeta } from './openai/stream-renderer.ts';
export { renderOpenAIError, type OpenAIErrorEnvelope } from './openai/render-error.ts';

// OpenAI, upstream (how adapters talk to OpenAI-dialect servers)
export { toOpenAIChatBody, type OpenAIChatBodyOptions } from './openai/chat-body.ts';
export { fromOpenAIChatResponse } from './openai/chat-response.ts';
export { createOpenAIChunkParser, type OpenAIChunkParser } from './openai/chunk-parser.ts';
export { toOpenAIEmbeddingsBody, fromOpenAIEmbeddingsResponse } from './openai/embeddings.ts';
export { toOpenAICompletionBody, fromOpenAICompletionResponse } from './openai/completion.ts';
export { toOpenAIImagesBody, fromOpenAIImagesResponse } from './openai/images.ts';
export { fromOpenAIFinishReason, toOpenAIFinishReason, type OpenAIFinishReason } from './openai/finish-reason.ts';

// Anthropic, ingress (POST /v1/messages)
export { parseAnthropicMessagesRequest, type ParsedAnthropicMessagesRequest } from './anthropic/parse-messages-request.ts';
export { renderAnthropicMessage, type AnthropicRenderMeta } from './anthropic/render-message.ts';
export { createAnthropicStreamRenderer, type AnthropicStreamEvent, type AnthropicStreamMeta } from './anthropic/stream-renderer.ts';
export { renderAnthropicError, toAnthropicErrorType, type AnthropicErrorEnvelope } from './anthropic/render-error.ts';

// Anthropic, upstream
export { toAnthropicMessagesBody, type AnthropicMessagesBodyOptions } from './anthropic/messages-body.ts';
export { fromAnthropicMessagesResponse } from './anthropic/messages-response.ts';
export { createAnthropicEventParser, type AnthropicEventParser } from './anthropic/event-parser.ts';
export {
  fromAnthropicStopReason,
  fromAnthropicStopSequence,
  toAnthropicStop,
  toAnthropicStopReason,
  type AnthropicStopReason,
} from './anthropic/stop-reason.ts';

// Any endpoint's body into the canonical call (the api's requests and batch lines)
export { parseEndpointBody, type ParsedInference } from './parse-endpoint-body.ts';

// Batches: the OpenAI and Anthropic batch objects and result lines over one engine's records
export type { BatchLineOutcome, BatchLineView, BatchStatus, BatchView } from './batch/batch-view.ts';
export { renderOpenAiBatch, type OpenAiBatchObject } from './batch/render-openai-batch.ts';
export { isOpenAiOutputLine, renderOpenAiResultLine, type OpenAiResultLine } from './batch/render-openai-result-line.ts';
export { anthropicProcessingStatus, renderAnthropicBatch, type AnthropicBatchObject } from './batch/render-anthropic-batch.ts';
export { renderAnthropicResultLine, type AnthropicResultLine } from './batch/render-anthropic-result-line.ts';
