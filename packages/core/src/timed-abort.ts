// An abort signal that follows a parent signal and aborts by itself when its timer runs
// out, without `AbortSignal.any` or `AbortSignal.timeout`. Both of those track signals
// through weak references and leave their timers and listeners for the garbage collector
// to find (a per-request deadline of minutes sat in the timer list until then); this one
// clears its timer and its listener on the parent when the work is done (`dispose`).

export type TimedAbort = {
  readonly signal: AbortSignal;
  /** True once the timer ran out (whatever else aborted the signal too). */
  readonly timedOut: boolean;
  /** Starts the timer again from now (no effect once the signal has aborted). */
  rearm(): void;
  /** Aborts the signal (the work is no longer wanted). */
  abort(reason?: unknown): void;
  /** Clears the timer and stops following the parent. */
  dispose(): void;
};

export function createTimedAbort(parent: AbortSignal | undefined, timeoutMs: number, timeoutReason: () => unknown): TimedAbort {
  const controller = new AbortController();
  let timedOut = false;
  const followParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) followParent();
  else parent?.addEventListener('abort', followParent, { once: true });
  const fire = () => {
    timedOut = true;
    controller.abort(timeoutReason());
  };
  // Like AbortSignal.timeout's: a pending deadline alone does not keep the process up.
  const timer = setTimeout(fire, timeoutMs).unref();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    rearm() {
      // The same timer, rescheduled: a stream rearms it on every chunk, and a new timer each time is garbage.
      if (!controller.signal.aborted) timer.refresh();
    },
    abort(reason?: unknown) {
      controller.abort(reason);
    },
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', followParent);
    },
  };
}
