import { describe, expect, it } from 'vitest';
import type { ReplyMessage, StreamMessage, StreamPart } from '@switchyard/core';
import type { SseSink } from './sse-response.ts';
import type { StreamEventRenderer } from './stream-event-renderer.ts';
import { createStreamRelay, type StreamRelayOptions } from './stream-relay.ts';

const text = (value: string): StreamPart => ({ type: 'text-delta', text: value });
const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 } };
const batch = (seq: number, ...parts: StreamPart[]): StreamMessage => ({ kind: 'parts', requestId: 'req_1', seq, parts });

/** Renders one event `n:text;` per part (n its ordinal) so the output shows exactly which parts went out, in which order. */
function fakeRenderer(): StreamEventRenderer {
  let count = 0;
  const label = (part: StreamPart) => (part.type === 'text-delta' ? part.text : part.type === 'error' ? `error(${part.error.code})` : part.type);
  return {
    render: (part) => [{ id: ++count, text: `${count}:${label(part)};` }],
    renderNotice: (error) => `${count + 1}:error(${error.code});`,
  };
}

function fakeSink() {
  let written = '';
  let backedUp = false;
  let ended = false;
  const waiters: (() => void)[] = [];
  const sink: SseSink & { readonly written: string; readonly ended: boolean; backUp(value: boolean): void } = {
    write(value) {
      written += value;
      return !backedUp;
    },
    drained: () => (backedUp ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    end: () => void (ended = true),
    get finished() {
      return ended;
    },
    get written() {
      return written;
    },
    get ended() {
      return ended;
    },
    backUp(value) {
      backedUp = value;
      if (!value) for (const resolve of waiters.splice(0)) resolve();
    },
  };
  return sink;
}

/** The Redis stream: batches kept as written, read as XRANGE from `0-(seq + 1)` would. */
function fakeStream(...batches: StreamMessage[]) {
  const reads: number[] = [];
  return {
    batches,
    reads,
    readAfter: async (seq: number) => {
      reads.push(seq);
      return batches.filter((message) => message.seq + message.parts.length - 1 > seq).slice(0, 2);
    },
  };
}

function relayWith(sink: SseSink, stream: ReturnType<typeof fakeStream>, options: Partial<StreamRelayOptions> = {}) {
  return createStreamRelay({
    sink,
    renderer: fakeRenderer(),
    startAfter: 0,
    fallbackModel: 'gpt-4o',
    readAfter: stream.readAfter,
    synthesize: () => undefined,
    maxLagParts: 100,
    ...options,
  });
}

describe('stream relay', () => {
  it('relays live batches in order and ends at the finish part', async () => {
    const sink = fakeSink();
    const relay = relayWith(sink, fakeStream());
    relay.offer(batch(1, text('a')));
    expect(sink.written).toBe('');
    await relay.start({ catchUp: false });
    relay.offer(batch(2, text('b'), text('c')));
    relay.offer(batch(4, finish));
    await relay.done;
    expect(sink.written).toBe('1:a;2:b;3:c;4:finish;');
    expect(sink.ended).toBe(true);
  });

  it('fills a gap in the live batches from the stream', async () => {
    const sink = fakeSink();
    const stream = fakeStream(batch(1, text('a')), batch(2, text('b'), text('c')), batch(4, text('d')), batch(5, finish));
    const relay = relayWith(sink, stream);
    await relay.start({ catchUp: false });
    relay.offer(stream.batches[0]!);
    relay.offer(stream.batches[3]!);
    await relay.done;
    expect(sink.written).toBe('1:a;2:b;3:c;4:d;5:finish;');
    expect(stream.reads[0]).toBe(1);
  });

  it('stops taking live batches while the client is backed up and catches up from the stream once it drains', async () => {
    const sink = fakeSink();
    const stream = fakeStream(batch(1, text('a')), batch(2, text('b')), batch(3, text('c')), batch(4, text('d')), batch(5, finish));
    const relay = relayWith(sink, stream);
    await relay.start({ catchUp: false });
    sink.backUp(true);
    relay.offer(stream.batches[0]!);
    for (const message of stream.batches.slice(1)) relay.offer(message);
    // Only what was written before the socket backed up went out; nothing is queued in memory.
    expect(sink.written).toBe('1:a;');
    expect(stream.reads).toEqual([]);
    sink.backUp(false);
    await relay.done;
    expect(sink.written).toBe('1:a;2:b;3:c;4:d;5:finish;');
    expect(stream.reads[0]).toBe(1);
  });

  it('cuts off a client that falls too far behind', async () => {
    const sink = fakeSink();
    const relay = relayWith(sink, fakeStream(), { maxLagParts: 3 });
    await relay.start({ catchUp: false });
    sink.backUp(true);
    relay.offer(batch(1, text('a')));
    relay.offer(batch(2, text('b'), text('c')));
    expect(relay.ended).toBe(false);
    relay.offer(batch(4, text('d'), text('e')));
    await relay.done;
    expect(sink.written).toBe('1:a;2:error(client_too_slow);');
  });

  it('reports parts trimmed from the stream instead of skipping them', async () => {
    const sink = fakeSink();
    const relay = relayWith(sink, fakeStream(batch(3, text('c')), batch(4, finish)));
    await relay.start({ catchUp: true });
    await relay.done;
    expect(sink.written).toBe('1:error(stream_trimmed);');
  });

  it('replays silently what the client already has', async () => {
    const sink = fakeSink();
    const stream = fakeStream(batch(1, text('a'), text('b')), batch(3, text('c')), batch(4, finish));
    const relay = relayWith(sink, stream, { startAfter: 2 });
    await relay.start({ catchUp: true });
    await relay.done;
    expect(sink.written).toBe('3:c;4:finish;');
  });

  it('settles a request that failed before any part with its error, and a finished one without a stream from its output', async () => {
    const failedSink = fakeSink();
    const failed = relayWith(failedSink, fakeStream());
    await failed.start({ catchUp: false });
    const failure: ReplyMessage = {
      kind: 'result',
      requestId: 'req_1',
      jobId: 'req_1',
      status: 'failed',
      attempts: 1,
      error: { code: 'provider_unavailable', type: 'overloaded', status: 503, message: 'down' },
    };
    await failed.settle(failure);
    expect(failedSink.written).toBe('1:error(provider_unavailable);');

    const toldSink = fakeSink();
    const told = relayWith(toldSink, fakeStream(), { synthesize: () => [text('whole answer'), finish] });
    await told.start({ catchUp: true });
    await told.settle({ kind: 'result', requestId: 'req_1', jobId: 'req_1', status: 'completed', attempts: 1, output: {} });
    expect(toldSink.written).toBe('1:whole answer;2:finish;');
  });

  it('reads the end it missed when the result arrives', async () => {
    const sink = fakeSink();
    const stream = fakeStream(batch(1, text('a')), batch(2, finish));
    const relay = relayWith(sink, stream);
    await relay.start({ catchUp: false });
    relay.offer(stream.batches[0]!);
    await relay.settle({ kind: 'result', requestId: 'req_1', jobId: 'req_1', status: 'completed', attempts: 1, output: {} });
    expect(sink.written).toBe('1:a;2:finish;');
  });
});
