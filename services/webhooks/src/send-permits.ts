import { redisScript, type RedisConnection, webhookDeliveryLockKey, webhookDestinationSlotsKey, webhookParkedJobsKey } from '@switchyard/queue';

// KEYS[1] the destination's holders (sorted set, score = when the holding lapses, in ms of
// Redis' clock), KEYS[2] the delivery's sender, KEYS[3] the destination's parked jobs (all
// three share the destination's hash tag, one slot on a Redis Cluster); ARGV holder, limit,
// lease ms, job id to park when full ('' for none). Slot and sender are taken both or neither.
// Lapsed holders (a process that died while sending) go first.
const acquireScript = redisScript(
  'WebhookPermitAcquire',
  3,
  `
local sender = redis.call('GET', KEYS[2])
if sender and sender ~= ARGV[1] then return 'busy' end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  if ARGV[4] ~= '' then
    redis.call('RPUSH', KEYS[3], ARGV[4])
    redis.call('PEXPIRE', KEYS[3], 600000)
  end
  return 'full'
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
redis.call('SET', KEYS[2], ARGV[1], 'PX', tonumber(ARGV[3]))
return 'ok'
`,
);

// Same keys; ARGV holder, how many parked jobs to hand back for waking (0 when a waiter of
// this process takes the slot).
const releaseScript = redisScript(
  'WebhookPermitRelease',
  3,
  `
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
local count = tonumber(ARGV[2])
if count == 0 then return {} end
return redis.call('LPOP', KEYS[3], count) or {}
`,
);

/** `busy`: another sender holds this delivery; `full`: its destination has no slot free. */
export type PermitAnswer = 'ok' | 'busy' | 'full';

export type SendPermits = {
  /** With `parkJobId`, a `full` answer also parks that job id to be woken by a release. */
  acquire(destination: string, deliveryId: string, holder: string, parkJobId?: string): Promise<PermitAnswer>;
  /** Frees the permit; resolves to parked job ids to wake (up to `wake`, oldest first). */
  release(destination: string, deliveryId: string, holder: string, wake: number): Promise<string[]>;
  /** Whether `jobId` is still on its destination's parked list (no release has handed it back yet). */
  isParked(destination: string, jobId: string): Promise<boolean>;
};

/**
 * The permit to send one delivery, shared by every webhooks process through Redis, in one
 * round trip: one of its destination's `limit` slots (host:port), so a slow or dead receiver
 * holds at most that many deliveries in flight however many processes run; and the
 * delivery itself, so two queue jobs of one delivery (a stalled job taken over while its
 * first holder still runs, a replayed relay) never send it at once. Each holding is a lease
 * of `leaseMs`, longer than one attempt can take, so a process killed mid-delivery blocks
 * nobody for long. A job that found its destination full is parked: the next release hands
 * its id back so the releaser wakes it, instead of every waiting job polling.
 */
export function createSendPermits(options: { redis: RedisConnection; prefix: string; limit: number; leaseMs: number }): SendPermits {
  const keys = (destination: string, deliveryId: string) => [
    webhookDestinationSlotsKey(options.prefix, destination),
    webhookDeliveryLockKey(options.prefix, destination, deliveryId),
    webhookParkedJobsKey(options.prefix, destination),
  ];
  return {
    async acquire(destination, deliveryId, holder, parkJobId) {
      return (await acquireScript.run(options.redis, keys(destination, deliveryId), [holder, options.limit, options.leaseMs, parkJobId ?? ''])) as PermitAnswer;
    },
    async release(destination, deliveryId, holder, wake) {
      return (await releaseScript.run(options.redis, keys(destination, deliveryId), [holder, wake])) as string[];
    },
    async isParked(destination, jobId) {
      return (await options.redis.lpos(webhookParkedJobsKey(options.prefix, destination), jobId)) !== null;
    },
  };
}
