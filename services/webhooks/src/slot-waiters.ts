export type SlotWaiters = {
  /**
   * Waits until this process frees a slot of `destination` or `timeoutMs` passes; false at
   * once when there is no room to wait (the job should be postponed instead).
   */
  wait(destination: string, timeoutMs: number): Promise<boolean>;
  /** This process freed a slot of `destination`: the longest waiter tries next. */
  released(destination: string): void;
  /** Whether a job of `destination` could wait here now. */
  hasRoom(destination: string): boolean;
  /** How many jobs of `destination` wait here. */
  waiting(destination: string): number;
};

/**
 * Hand-off of a destination's slots inside one process. A job that finds its destination
 * full waits here for the next local release instead of going back to the queue, so a busy
 * receiver's slots are refilled at once rather than after a postponement. The waiters are
 * bounded, per destination and in all, so jobs of a slow receiver can hold only a few worker
 * slots beyond the ones sending: the rest of the worker stays free for other destinations.
 */
export function createSlotWaiters(options: { perDestination: number; total: number }): SlotWaiters {
  const waiting = new Map<string, Array<() => void>>();
  let total = 0;
  return {
    async wait(destination, timeoutMs) {
      const queue = waiting.get(destination) ?? [];
      if (total >= options.total || queue.length >= options.perDestination) return false;
      waiting.set(destination, queue);
      total += 1;
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      queue.push(wake);
      const timer = setTimeout(wake, timeoutMs);
      await woken;
      clearTimeout(timer);
      const index = queue.indexOf(wake);
      if (index >= 0) queue.splice(index, 1);
      if (queue.length === 0 && waiting.get(destination) === queue) waiting.delete(destination);
      total -= 1;
      return true;
    },
    released(destination) {
      waiting.get(destination)?.shift()?.();
    },
    hasRoom(destination) {
      return total < options.total && (waiting.get(destination)?.length ?? 0) < options.perDestination;
    },
    waiting(destination) {
      return waiting.get(destination)?.length ?? 0;
    },
  };
}
