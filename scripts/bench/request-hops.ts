// Where one sync request's time goes, hop by hop, from Redis' MONITOR stream and the
// client's own send and receive times (pnpm bench:hops). Pure: tested in request-hops.test.ts.

/** One command as Redis' MONITOR reported it: when it reached the server (epoch ms), its name and arguments. */
export type MonitorEvent = { atMs: number; command: string; args: string[] };

/** A request the client sent and got its answer to, in epoch ms on the same clock as Redis. */
export type TracedRequest = { sentAtMs: number; receivedAtMs: number };

export const hopNames = ['client -> job enqueued', '-> worker fetches it', '-> answer recorded', '-> client has the answer'] as const;
export type HopName = (typeof hopNames)[number];

const isScript = (event: MonitorEvent) => event.command === 'evalsha' || event.command === 'eval';
/** BullMQ's addStandardJob on an inference queue: 9 keys, the queue's wait list then its paused list. */
const isEnqueue = (event: MonitorEvent) =>
  isScript(event) &&
  event.args[1] === '9' &&
  (event.args[2] ?? '').includes(':inference-') &&
  (event.args[2] ?? '').endsWith(':wait') &&
  (event.args[3] ?? '').endsWith(':paused');
/** BullMQ's moveToActive on an inference queue: 11 keys, the wait list then the active list. */
const isFetch = (event: MonitorEvent) =>
  isScript(event) && event.args[1] === '11' && (event.args[2] ?? '').includes(':inference-') && (event.args[3] ?? '').endsWith(':active');
/**
 * The worker's record of a sync job's answer (`saveAnsweredJob`), sent with its ledger entries
 * just before the reply: the reply itself is a PUBLISH only between processes (an api of the
 * worker's own thread gets it in process), so it is no landmark in `switchyard all`.
 */
const isAnswerRecorded = (event: MonitorEvent) => event.command === 'set' && (event.args[0] ?? '').includes(':answered:');

/**
 * The hops of one request: the events inside its send/receive window, in order. Undefined
 * when the window lacks one of the landmarks (a response-cache hit, say), so it is left out.
 * `events` must be sorted by time.
 */
export function requestHops(request: TracedRequest, events: MonitorEvent[]): Record<HopName, number> | undefined {
  const inWindow = events.filter((event) => event.atMs >= request.sentAtMs && event.atMs <= request.receivedAtMs);
  const enqueueIndex = inWindow.findIndex(isEnqueue);
  if (enqueueIndex < 0) return undefined;
  const enqueue = inWindow[enqueueIndex]!;
  const fetch = inWindow.slice(enqueueIndex + 1).find(isFetch);
  if (!fetch) return undefined;
  const recorded = inWindow.slice(inWindow.indexOf(fetch) + 1).find(isAnswerRecorded);
  if (!recorded) return undefined;
  return {
    'client -> job enqueued': enqueue.atMs - request.sentAtMs,
    '-> worker fetches it': fetch.atMs - enqueue.atMs,
    '-> answer recorded': recorded.atMs - fetch.atMs,
    '-> client has the answer': request.receivedAtMs - recorded.atMs,
  };
}

/** `1796174860.296437` (MONITOR's seconds.microseconds) as epoch ms. */
export function monitorTimeMs(time: string): number {
  const [seconds, fraction = '0'] = time.split('.');
  return Number(seconds) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6)) / 1000;
}
