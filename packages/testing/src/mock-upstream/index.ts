export { startMockAnthropicUpstream } from './anthropic-upstream.ts';
export { countWords, estimateInputTokens, expectedMockAnswer, mockEmbedding, wordPieces, type MockAnswer } from './mock-answer.ts';
export { startMockOllamaUpstream } from './ollama-upstream.ts';
export { startMockOpenAIUpstream } from './openai-upstream.ts';
export type { MockBehavior, MockUpstream, MockUpstreamOptions, RecordedRequest } from './types.ts';
