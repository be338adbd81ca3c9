// Canonical parts -> the SSE text of the client's format, whatever the provider, each
// event numbered. Event ids are the events' ordinals in the whole telling of the stream
// (1, 2, 3, ...), not the parts' sequence numbers: one part can render to several events
// (OpenAI's role chunk and first delta; the finish, usage chunk and `[DONE]`), and each
// needs its own id for `Last-Event-ID` to name a point between them. The same parts
// always render to the same events, so a resume re-renders from the first part and
// skips the events the client already has.
import type { InferenceEndpoint, StreamPart } from '@switchyard/core';
import { createStreamResponseRenderer, type SseEvent, type StreamResponseRenderer } from '@switchyard/formats';

/** One framed event and its ordinal in the stream. */
export type RenderedEvent = { id: number; text: string };

export type StreamEventRenderer = {
  /** The events of one part (none when it renders to nothing); `model` names the serving model on the first. */
  render(part: StreamPart, model: string): RenderedEvent[];
  /**
   * An error of this connection rather than of the job (too slow a client, a deadline):
   * framed without an id, so the client's last event id stays on the stream's last event
   * it received, and a resume goes on from there.
   */
  renderNotice(error: { code: string; message: string }, model: string): string;
};

export type StreamEventRendererOptions = {
  endpoint: InferenceEndpoint;
  requestId: string;
  createdAt: number;
  includeUsage: boolean;
  /** Prefix every event with `id: <ordinal>` (resumable streams). */
  eventIds: boolean;
};

const frame = (event: SseEvent, id?: number): string =>
  `${id === undefined ? '' : `id: ${id}\n`}${event.event === undefined ? '' : `event: ${event.event}\n`}data: ${event.data}\n\n`;

export function createStreamEventRenderer(options: StreamEventRendererOptions): StreamEventRenderer {
  let renderer: StreamResponseRenderer | undefined;
  let count = 0;
  const start = (model: string): StreamResponseRenderer =>
    (renderer ??= createStreamResponseRenderer(options.endpoint, {
      requestId: options.requestId,
      createdAt: options.createdAt,
      model,
      includeUsage: options.includeUsage,
    }));

  return {
    render(part, model) {
      return start(model)
        .push(part)
        .map((event) => {
          count++;
          return { id: count, text: frame(event, options.eventIds ? count : undefined) };
        });
    },
    renderNotice(error, model) {
      return start(model)
        .push({ type: 'error', error })
        .map((event) => frame(event))
        .join('');
    },
  };
}
