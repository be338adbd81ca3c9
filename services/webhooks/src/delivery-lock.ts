import type { Redis } from 'ioredis';
import { webhookDeliveryLockKey } from '@switchyard/queue';

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export type DeliveryLock = {
  /** Whether `holder` now holds the delivery (for `leaseMs` at most). */
  acquire(deliveryId: string, holder: string): Promise<boolean>;
  release(deliveryId: string, holder: string): Promise<void>;
};

/**
 * One sender per delivery at a time, across processes: two queue jobs of the same delivery
 * (a relay replay, a stalled job taken over while its first holder still runs) cannot send
 * it at once; the second waits, then finds the delivery done. The lease outlives one
 * attempt, so a holder that dies frees it soon.
 */
export function createDeliveryLock(options: { redis: Redis; prefix: string; leaseMs: number }): DeliveryLock {
  return {
    async acquire(deliveryId, holder) {
      return (await options.redis.set(webhookDeliveryLockKey(options.prefix, deliveryId), holder, 'PX', options.leaseMs, 'NX')) === 'OK';
    },
    async release(deliveryId, holder) {
      await options.redis.eval(releaseScript, 1, webhookDeliveryLockKey(options.prefix, deliveryId), holder);
    },
  };
}
