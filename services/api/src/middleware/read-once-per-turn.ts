/**
 * Shares one read among every caller of the same event-loop turn: the first call of a turn
 * schedules the read (setImmediate, after this turn's I/O callbacks have run), and every
 * call made before it starts gets its result. The read starts after each of its callers
 * asked, so none sees a value older than its own request; under load one Redis round trip
 * serves every request that arrived together instead of one each.
 */
export function readOncePerTurn<T>(read: () => Promise<T>): () => Promise<T> {
  let next: Promise<T> | undefined;
  return () => {
    next ??= new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        next = undefined;
        read().then(resolve, reject);
      });
    });
    return next;
  };
}
