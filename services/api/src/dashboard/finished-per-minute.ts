/** What BullMQ's `queue.getMetrics('completed' | 'failed')` returns. */
export type QueueMetrics = { meta: { count: number; prevTS: number; prevCount: number }; data: number[] };

const minuteMs = 60_000;

/**
 * Jobs finished per minute, over the 60 s up to `now`: the current minute's count plus the
 * previous minute's, weighted by how much of it still lies in that window. Null when the
 * queue has recorded nothing (its workers collect no metrics, or nothing has finished yet).
 *
 * BullMQ counts lazily: `count - prevCount` are the jobs of the minute of `prevTS`, and
 * `data` holds earlier minutes, newest first (`data[0]` is the minute before `prevTS`'s),
 * written only when a job finishes in a later minute.
 */
export function finishedPerMinute(metrics: QueueMetrics, now: number): number | null {
  const { count, prevTS, prevCount } = metrics.meta;
  if (prevTS === 0 && count === 0) return null;
  const latestMinute = Math.floor(prevTS / minuteMs);
  const finishedIn = (minute: number): number => {
    if (minute > latestMinute) return 0;
    if (minute === latestMinute) return count - prevCount;
    return metrics.data[latestMinute - 1 - minute] ?? 0;
  };
  const currentMinute = Math.floor(now / minuteMs);
  const elapsed = (now - currentMinute * minuteMs) / minuteMs;
  const rate = finishedIn(currentMinute) + finishedIn(currentMinute - 1) * (1 - elapsed);
  return Math.round(rate * 10) / 10;
}
