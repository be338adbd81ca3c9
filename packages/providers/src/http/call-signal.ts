// One upstream call's abort signal: the caller's signal, our timeout, and a local abort
// for when the consumer stops reading. Which of them fired decides the error we report.
import { createTimedAbort } from '@switchyard/core';

export type CallSignal = {
  readonly signal: AbortSignal;
  /** True once the caller's signal aborted (client gone, cancel, deadline, shutdown). */
  readonly cancelled: boolean;
  readonly timedOut: boolean;
  /**
   * Restarts the timeout. Streams call it on every chunk, so `timeoutMs` bounds the wait
   * for headers and each silence between chunks, not a long generation as a whole.
   */
  touch(): void;
  /** Stops the upstream request because the consumer is done with it. */
  abort(): void;
  dispose(): void;
};

export function createCallSignal(caller: AbortSignal, timeoutMs: number): CallSignal {
  const call = createTimedAbort(caller, timeoutMs, () => new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  return {
    signal: call.signal,
    get cancelled() {
      return caller.aborted;
    },
    get timedOut() {
      return call.timedOut && !caller.aborted;
    },
    touch() {
      call.rearm();
    },
    abort() {
      call.abort();
    },
    dispose() {
      call.dispose();
    },
  };
}
