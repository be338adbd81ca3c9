import { extendIfHeld, releaseIfHeld, type RedisConnection } from '@switchyard/queue';

export type LeaderLease = {
  /** Renews the lease if this holder has it, else tries to take it (SET NX PX); whether this holder leads now. */
  hold(): Promise<boolean>;
  /** Gives the lease up if this holder has it, so another takes over at its next try instead of after the lapse. */
  release(): Promise<void>;
};

/** A lease in Redis held by one holder at a time; a holder that stops renewing loses it after `leaseMs`. */
export function createLeaderLease(options: { redis: RedisConnection; key: string; holder: string; leaseMs: number }): LeaderLease {
  const { redis, key, holder, leaseMs } = options;
  return {
    async hold() {
      if (await extendIfHeld(redis, key, holder, leaseMs)) return true;
      return (await redis.set(key, holder, 'PX', leaseMs, 'NX')) === 'OK';
    },
    async release() {
      await releaseIfHeld(redis, key, holder);
    },
  };
}
