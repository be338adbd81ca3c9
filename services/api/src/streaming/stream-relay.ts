// Relays one request's token stream to one client. Live batches come from pub/sub (at
// most once); the Redis stream fills every gap, a missed end, and whatever a slow client
// could not take while its socket was backed up. The Redis stream is the buffer: the api
// never queues more than one batch per client.
//
// A resume names the last EVENT the client has (see stream-event-renderer.ts): the relay
// renders the stream from its first part and sends only the events after that one.
import type { ReplyMessage, StreamMessage, StreamPart } from '@switchyard/core';
import { createPartSequencer, type SequencedPart } from './part-sequencer.ts';
import type { SseSink } from './sse-response.ts';
import type { RenderedEvent, StreamEventRenderer } from './stream-event-renderer.ts';

export type StreamRelayOptions = {
  sink: SseSink;
  renderer: StreamEventRenderer;
  /**
   * Events the client already has (its `Last-Event-ID`): rendered without being sent, to
   * rebuild the renderer's state. A client that has the whole stream, or names an id past
   * its end, gets the event that ended the stream again (`[DONE]`, `message_stop`, or the
   * error), so every answer ends the way the format ends and the client knows it is done.
   */
  startAfter: number;
  /** Model named in the stream when no part says (an error before any part). */
  fallbackModel: string;
  /** Batches of the Redis stream holding parts after `seq`. */
  readAfter(seq: number): Promise<StreamMessage[]>;
  /** Parts told again from a finished job's stored output, when its stream holds nothing (numbered as a stream of their own). */
  synthesize(reply: ReplyMessage): StreamPart[] | undefined;
  /** A client this many parts behind the stream is cut off with an error. */
  maxLagParts: number;
  onError?(error: unknown): void;
  /** Called once as the stream ends, before its last write: true when it ended with its finish part. */
  onEnd?(finished: boolean): void;
};

export type StreamRelay = {
  /** A live batch. Before `start`, batches are held; while the client is backed up, dropped (the stream has them). */
  offer(message: StreamMessage): void;
  /** Sends what arrived so far; with `catchUp`, first reads what the Redis stream already holds. */
  start(options: { catchUp: boolean }): Promise<void>;
  /** Reads the Redis stream past what was relayed (a gap, a missed end, an idle check). */
  catchUp(): Promise<void>;
  /** The request reached its final state: relay the rest of its stream, else its error or stored output. */
  settle(reply: ReplyMessage): Promise<void>;
  /** Ends the stream with an error of this connection (no event id) unless it already ended. */
  fail(error: { code: string; message: string }): void;
  /** Stops without writing anything more (the client left). */
  abandon(): void;
  /** Resolves once the stream ended, one way or another. */
  readonly done: Promise<void>;
  readonly ended: boolean;
  /** Parts relayed (sent or primed) so far. */
  readonly relayed: number;
};

export function createStreamRelay(options: StreamRelayOptions): StreamRelay {
  const { sink, renderer } = options;
  const sequencer = createPartSequencer();
  let started = false;
  let ended = false;
  let paused = false;
  let synthesizedModel: string | undefined;
  /** Events written on this connection, and the last one rendered (sent or not). */
  let sentEvents = 0;
  let lastEvent: RenderedEvent | undefined;
  let catchingUp: Promise<void> | undefined;
  let catchUpAgain = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const modelOf = () => sequencer.model ?? synthesizedModel ?? options.fallbackModel;

  const finish = (write: boolean, finished = false) => {
    if (ended) return;
    ended = true;
    options.onEnd?.(finished);
    if (write) sink.end();
    resolveDone();
  };

  function emit(parts: SequencedPart[]): void {
    if (parts.length === 0 || ended) return;
    let text = '';
    let terminal = false;
    let finished = false;
    const model = modelOf();
    for (const { part } of parts) {
      for (const event of renderer.render(part, model)) {
        lastEvent = event;
        if (event.id <= options.startAfter) continue;
        text += event.text;
        sentEvents++;
      }
      if (part.type === 'finish' || part.type === 'error') {
        terminal = true;
        finished = part.type === 'finish';
        break;
      }
    }
    if (terminal && sentEvents === 0 && lastEvent) text += lastEvent.text;
    const flowing = text === '' || sink.write(text);
    if (terminal) {
      finish(true, finished);
      return;
    }
    if (!flowing && !paused) {
      paused = true;
      void catchUp();
    }
  }

  function fail(error: { code: string; message: string }): void {
    if (ended) return;
    sink.write(renderer.renderNotice(error, modelOf()));
    finish(true);
  }

  async function readPages(): Promise<void> {
    while (!ended) {
      if (paused) {
        await sink.drained();
        if (sink.finished) {
          finish(false);
          return;
        }
        paused = false;
      }
      const after = sequencer.accepted;
      const messages = await options.readAfter(after);
      if (ended) return;
      const first = messages[0];
      if (!first) return;
      if (first.seq > after + 1) {
        fail({ code: 'stream_trimmed', message: 'the client fell too far behind the stream; its earliest missing parts are gone' });
        return;
      }
      for (const message of messages) sequencer.add(message);
      emit(sequencer.take());
      if (sequencer.accepted === after) return;
    }
  }

  function catchUp(): Promise<void> {
    if (catchingUp) {
      catchUpAgain = true;
      return catchingUp;
    }
    catchingUp = (async () => {
      try {
        do {
          catchUpAgain = false;
          await readPages();
        } while (catchUpAgain && !ended);
      } catch (error) {
        options.onError?.(error);
        fail({ code: 'internal_error', message: 'the stream could not be read' });
      } finally {
        catchingUp = undefined;
      }
    })();
    return catchingUp;
  }

  return {
    offer(message) {
      if (ended) return;
      if (paused) {
        // Dropped: read back from the stream once the client drains, unless it is hopelessly behind.
        if (message.seq + message.parts.length - 1 - sequencer.accepted > options.maxLagParts) {
          fail({ code: 'client_too_slow', message: 'the client is reading the stream too slowly' });
        }
        return;
      }
      sequencer.add(message);
      if (!started) return;
      emit(sequencer.take());
      if (sequencer.held > 0) void catchUp();
    },
    async start(startOptions) {
      started = true;
      emit(sequencer.take());
      if (startOptions.catchUp || sequencer.held > 0) await catchUp();
    },
    catchUp,
    async settle(reply) {
      if (ended) return;
      await catchUp();
      if (ended) return;
      if (sequencer.accepted === 0) {
        const parts = reply.status === 'completed' ? options.synthesize(reply) : undefined;
        if (parts) {
          synthesizedModel = reply.model;
          emit(parts.map((part, index) => ({ seq: index + 1, part })));
          return;
        }
      }
      // The job's own end, told the same way to every reader: an event of the stream, with its id.
      const error =
        reply.status !== 'completed' && reply.error
          ? reply.error
          : { code: 'upstream_error', message: `the stream ended before its last part (request ${reply.status})` };
      emit([{ seq: sequencer.accepted + 1, part: { type: 'error', error } }]);
    },
    fail,
    abandon() {
      finish(false);
    },
    done,
    get ended() {
      return ended;
    },
    get relayed() {
      return sequencer.accepted;
    },
  };
}
