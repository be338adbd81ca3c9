// The floor producer's side of the reply path: one waiter per job in flight, settled by the
// message the worker publishes on the producer's own channel (as Switchyard's reply bus does).

export type ReplyWaiters = {
  /** Registers a waiter; call it BEFORE the job is added, so no reply can be missed. */
  wait(id: string, timeoutMs: number): Promise<void>;
  /** A reply arrived; false when nobody waits for that id (late, or someone else's). */
  settle(id: string): boolean;
  readonly pending: number;
  /** Fails every waiter still pending. */
  close(reason: string): void;
};

export function createReplyWaiters(): ReplyWaiters {
  const waiters = new Map<string, { resolve(): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  return {
    wait(id, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          reject(new Error(`no reply for job ${id} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(id, { resolve, reject, timer });
      });
    },
    settle(id) {
      const waiter = waiters.get(id);
      if (!waiter) return false;
      waiters.delete(id);
      clearTimeout(waiter.timer);
      waiter.resolve();
      return true;
    },
    get pending() {
      return waiters.size;
    },
    close(reason) {
      for (const [id, waiter] of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`job ${id}: ${reason}`));
      }
      waiters.clear();
    },
  };
}
