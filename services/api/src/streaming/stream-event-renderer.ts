// Canonical parts -> the SSE text of the client's format, whatever the provider: OpenAI
// `data:` chunks ending with `data: [DONE]`, or Anthropic's named events.
import type { InferenceEndpoint, StreamPart } from '@switchyard/core';
import { createAnthropicStreamRenderer, createOpenAIStreamRenderer } from '@switchyard/formats';

export type StreamEventRenderer = {
  /** The SSE text of one part (empty when it renders to nothing); `model` names the serving model on the first. */
  render(seq: number, part: StreamPart, model: string): string;
};

export type StreamEventRendererOptions = {
  endpoint: InferenceEndpoint;
  requestId: string;
  createdAt: number;
  includeUsage: boolean;
  /** Prefix every event with `id: <seq>` (resumable streams). */
  eventIds: boolean;
};

/** The response id the non-stream body of the same request carries (the worker derives it the same way). */
export const responseIdSuffix = (requestId: string): string => requestId.replace(/^req_/, '');

export function createStreamEventRenderer(options: StreamEventRendererOptions): StreamEventRenderer {
  const anthropic = options.endpoint === '/v1/messages';
  let push: ((part: StreamPart) => string[]) | undefined;

  const start = (model: string): ((part: StreamPart) => string[]) => {
    if (anthropic) {
      const renderer = createAnthropicStreamRenderer({ id: `msg_${responseIdSuffix(options.requestId)}`, model });
      return (part) => renderer.push(part).map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    const renderer = createOpenAIStreamRenderer({
      id: `chatcmpl-${responseIdSuffix(options.requestId)}`,
      created: Math.floor(options.createdAt / 1000),
      model,
      includeUsage: options.includeUsage,
    });
    return (part) => {
      const events = renderer.push(part).map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`);
      if (part.type === 'finish' && events.length > 0) events.push('data: [DONE]\n\n');
      return events;
    };
  };

  return {
    render(seq, part, model) {
      push ??= start(model);
      const events = push(part);
      if (events.length === 0) return '';
      if (!options.eventIds) return events.length === 1 ? events[0]! : events.join('');
      const id = `id: ${seq}\n`;
      return id + events.join(id);
    },
  };
}
