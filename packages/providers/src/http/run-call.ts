// Every upstream call runs inside one of these two wrappers, which own the call signal
// and turn whatever was thrown into the one error we report.
import type { StreamPart } from '@switchyard/core';
import type { Readable } from 'node:stream';
import { brokenResponseError, cancelledError, responseTooLargeError, toCallFailure } from '../errors/call-failure.ts';
import { createCallSignal, type CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';
import type { TextSplitter } from './text-splitters.ts';

export async function runCall<T>(context: HttpContext, signal: AbortSignal, run: (call: CallSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) throw cancelledError();
  const call = createCallSignal(signal, context.timeoutMs);
  try {
    return await run(call);
  } catch (error) {
    throw toCallFailure(error, call, context);
  } finally {
    call.dispose();
  }
}

/** Turns a streamed body's text, as it arrives, into stream parts (a provider's wire format). */
export type StreamDecoder = {
  /** The parts this piece of text completed. */
  feed(text: string): StreamPart[];
  /** The parts left once the body has ended, and an error part if it ended too early. */
  end(): StreamPart[];
};

export type OpenedStream = { body: Readable; decoder: StreamDecoder };

/** A dialect's decoder: its splitter cuts the text into items, `partsOf` reads them, `atEnd` gives the parts owed once the body ended. */
export function streamDecoder<Item>(splitter: TextSplitter<Item>, partsOf: (items: Item[]) => StreamPart[], atEnd: () => StreamPart[]): StreamDecoder {
  return {
    feed: (text) => partsOf(splitter.feed(text)),
    end: () => [...partsOf(splitter.end()), ...atEnd()],
  };
}

/**
 * Opens the upstream stream with `open`, then reads its body through `decoder`, in one
 * loop: no generator per layer (body text, events, parts), since each costs promises and
 * microtask turns per token. Failures before the first part throw; after it they end the
 * stream with an `error` part, since the consumer may already have relayed tokens.
 * Cancellation always throws. Leaving early (or failing) aborts the upstream request and
 * destroys the body; a body read to its end has nothing left to abort (and an abort costs
 * an AbortError with its stack trace).
 */
export async function* streamCall(context: HttpContext, signal: AbortSignal, open: (call: CallSignal) => Promise<OpenedStream>): AsyncGenerator<StreamPart> {
  if (signal.aborted) throw cancelledError();
  const call = createCallSignal(signal, context.timeoutMs);
  let started = false;
  let body: Readable | undefined;
  let bodyEnded = false;
  try {
    const opened = await open(call);
    body = opened.body;
    const { decoder } = opened;
    const chunks: AsyncIterator<Uint8Array> = body[Symbol.asyncIterator]();
    const text = new TextDecoder();
    const limit = context.maxResponseBytes ?? Number.POSITIVE_INFINITY;
    let received = 0;
    while (true) {
      let result: IteratorResult<Uint8Array>;
      try {
        result = await chunks.next();
      } catch (error) {
        throw call.signal.aborted ? error : brokenResponseError(error, context);
      }
      if (result.done) break;
      received += result.value.byteLength;
      // An upstream that never stops must not fill the worker's memory, Redis and Postgres.
      if (received > limit) throw responseTooLargeError(context, limit);
      call.touch();
      for (const part of decoder.feed(text.decode(result.value, { stream: true }))) {
        started = true;
        yield part;
      }
    }
    bodyEnded = true;
    for (const part of [...decoder.feed(text.decode()), ...decoder.end()]) {
      started = true;
      yield part;
    }
  } catch (error) {
    const failure = toCallFailure(error, call, context);
    if (!started || failure.code === 'cancelled') throw failure;
    yield { type: 'error', error: { code: failure.code, message: failure.message, retryable: failure.retryable } };
  } finally {
    if (!bodyEnded) {
      call.abort();
      body?.destroy();
    }
    call.dispose();
  }
}
