// The one choice of renderer for a streamed response: canonical parts and the client's
// endpoint -> that endpoint's SSE events, terminator included (OpenAI's `data: [DONE]`
// after the finish; Anthropic's message_stop is itself an event).
import { GatewayError, type InferenceEndpoint, type StreamPart } from '@switchyard/core';
import { createAnthropicStreamRenderer } from '../anthropic/stream-renderer.ts';
import { createOpenAIStreamRenderer } from '../openai/stream-renderer.ts';
import type { ResponseMeta } from './render-response.ts';
import { responseId } from './response-id.ts';

/** One server-sent event before framing: its optional name and its data line. */
export type SseEvent = { event?: string; data: string };

export type StreamResponseMeta = ResponseMeta & {
  /** OpenAI `stream_options.include_usage`: send the usage chunk before `[DONE]`. */
  includeUsage: boolean;
};

export type StreamResponseRenderer = {
  /** The events of one part, in order; none for a part that shows nothing, or after the stream ended. */
  push(part: StreamPart): SseEvent[];
};

export function createStreamResponseRenderer(endpoint: InferenceEndpoint, meta: StreamResponseMeta): StreamResponseRenderer {
  if (endpoint === '/v1/messages') {
    const renderer = createAnthropicStreamRenderer({ id: responseId(endpoint, meta.requestId), model: meta.model });
    return {
      push(part) {
        const text = part.type === 'text-delta' ? renderer.textDeltaJson(part.text) : undefined;
        if (text !== undefined) return [{ event: 'content_block_delta', data: text }];
        return renderer.push(part).map(({ event, data }) => ({ event, data: JSON.stringify(data) }));
      },
    };
  }
  if (endpoint === '/v1/chat/completions') {
    const renderer = createOpenAIStreamRenderer({
      id: responseId(endpoint, meta.requestId),
      created: Math.floor(meta.createdAt / 1000),
      model: meta.model,
      includeUsage: meta.includeUsage,
    });
    return {
      push(part) {
        // Most parts are text deltas: their chunk is a template with the text filled in.
        const text = part.type === 'text-delta' ? renderer.textDeltaJson(part.text) : undefined;
        if (text !== undefined) return [{ data: text }];
        const events: SseEvent[] = renderer.push(part).map((chunk) => ({ data: JSON.stringify(chunk) }));
        if (part.type === 'finish' && events.length > 0) events.push({ data: '[DONE]' });
        return events;
      },
    };
  }
  throw new GatewayError('internal_error', `${endpoint} has no stream format`);
}
