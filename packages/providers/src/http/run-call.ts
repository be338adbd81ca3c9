// Every upstream call runs inside one of these two wrappers, which own the call signal
// and turn whatever was thrown into the one error we report.
import type { StreamPart } from '@switchyard/core';
import { cancelledError, toCallFailure } from '../errors/call-failure.ts';
import { createCallSignal, type CallSignal } from './call-signal.ts';
import type { HttpContext } from './http-context.ts';

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

/**
 * Failures before the first part throw; after it they end the stream with an `error`
 * part, since the consumer may already have relayed tokens. Cancellation always throws.
 * Leaving the loop early (or failing) aborts the upstream request; a stream read to its
 * end has nothing left to abort, and an abort costs an AbortError with its stack trace.
 */
export async function* streamCall(context: HttpContext, signal: AbortSignal, run: (call: CallSignal) => AsyncIterable<StreamPart>): AsyncGenerator<StreamPart> {
  if (signal.aborted) throw cancelledError();
  const call = createCallSignal(signal, context.timeoutMs);
  let started = false;
  let readToTheEnd = false;
  try {
    for await (const part of run(call)) {
      started = true;
      yield part;
    }
    readToTheEnd = true;
  } catch (error) {
    const failure = toCallFailure(error, call, context);
    if (!started || failure.code === 'cancelled') throw failure;
    yield { type: 'error', error: { code: failure.code, message: failure.message, retryable: failure.retryable } };
  } finally {
    if (!readToTheEnd) call.abort();
    call.dispose();
  }
}
