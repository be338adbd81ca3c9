import type { Redis } from 'ioredis';
import { webhookDestinationSlotsKey } from '@switchyard/queue';

// KEYS[1] the destination's holders (sorted set, score = when the holding lapses, in ms of
// Redis' clock); ARGV holder, limit, lease ms. Lapsed holders (a process that died while
// sending) are dropped first, so a dead holder frees its slot once its lease runs out.
const acquireScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 1000)
return 1
`;

export type DestinationSlots = {
  /** Takes one of the destination's slots for `holder`; false when all are held. */
  acquire(destination: string, holder: string): Promise<boolean>;
  release(destination: string, holder: string): Promise<void>;
};

/**
 * A semaphore per destination (host:port) shared by every webhooks process, so at most
 * `limit` deliveries are in flight to one receiver however many processes run. Each
 * holding is a lease of `leaseMs` (longer than one attempt can take), so a process killed
 * mid-delivery blocks nobody for long.
 */
export function createDestinationSlots(options: { redis: Redis; prefix: string; limit: number; leaseMs: number }): DestinationSlots {
  return {
    async acquire(destination, holder) {
      const taken = await options.redis.eval(acquireScript, 1, webhookDestinationSlotsKey(options.prefix, destination), holder, options.limit, options.leaseMs);
      return taken === 1;
    },
    async release(destination, holder) {
      await options.redis.zrem(webhookDestinationSlotsKey(options.prefix, destination), holder);
    },
  };
}
