// The built-in in-process provider: no HTTP, deterministic, honours latency options and
// the abort signal.
import { mockEmbedding, newId, type StreamPart } from '@switchyard/core';
import type { ProviderSettings } from '../provider-settings.ts';
import type { ProviderAdapter } from '../types.ts';
import { answerChat, estimateTokens, mockText, toChatResponse, truncate, wordPieces } from './mock-answer.ts';
import { mockImages } from './mock-image.ts';
import { delay, mockTiming, throwIfCancelled } from './mock-timing.ts';

/** The models the built-in mock ships with in the seed catalog (it answers any id). */
const mockModelIds = ['mock-fast', 'mock-slow', 'mock-embed'];

export function createMockProvider(config: ProviderSettings): ProviderAdapter {
  const timing = (modelOptions: Record<string, unknown> | undefined) => mockTiming(config.options, modelOptions);

  return {
    name: config.name,

    async generate(request, options) {
      const answer = answerChat(request);
      await delay(timing(options.modelOptions).latencyMs, options.signal);
      return toChatResponse(request, answer);
    },

    async *stream(request, options): AsyncGenerator<StreamPart> {
      const { latencyMs, tokenDelayMs } = timing(options.modelOptions);
      const answer = answerChat(request);
      await delay(latencyMs, options.signal);
      for (const [index, piece] of answer.pieces.entries()) {
        if (index > 0) await delay(tokenDelayMs, options.signal);
        else throwIfCancelled(options.signal);
        yield { type: 'text-delta', text: piece };
      }
      if (answer.toolCall) {
        yield { type: 'tool-call-start', index: 0, id: answer.toolCall.id, name: answer.toolCall.name };
        yield { type: 'tool-call-delta', index: 0, argumentsDelta: answer.toolCall.arguments };
      }
      throwIfCancelled(options.signal);
      yield {
        type: 'finish',
        finishReason: answer.finishReason,
        usage: { inputTokens: answer.inputTokens, outputTokens: answer.outputTokens },
        model: request.model,
        id: newId('mock'),
      };
    },

    async embed(request, options) {
      await delay(timing(options.modelOptions).latencyMs, options.signal);
      const dimensions = request.dimensions ?? 8;
      const characters = request.input.reduce((total, input) => total + input.length, 0);
      return {
        model: request.model,
        embeddings: request.input.map((input) => mockEmbedding(input, dimensions)),
        usage: { inputTokens: estimateTokens(characters), outputTokens: 0 },
      };
    },

    async generateImages(request, options) {
      await delay(timing(options.modelOptions).latencyMs, options.signal);
      return mockImages(request);
    },

    async complete(request, options) {
      await delay(timing(options.modelOptions).latencyMs, options.signal);
      const { pieces, truncated } = truncate(wordPieces(mockText(request.prompt)), request.maxTokens);
      return {
        id: newId('mock'),
        model: request.model,
        text: pieces.join(''),
        finishReason: truncated ? 'length' : 'stop',
        usage: { inputTokens: estimateTokens(request.prompt.length), outputTokens: pieces.length },
      };
    },

    async listModels(options) {
      throwIfCancelled(options.signal);
      return mockModelIds.map((id) => ({ id, ownedBy: config.name }));
    },
  };
}
