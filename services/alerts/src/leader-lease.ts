import type { RedisConnection } from '@switchyard/queue';

// Renews the lease only while this holder owns it (a lapsed lease another took is left alone).
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

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
      if (Number(await redis.eval(renewScript, 1, key, holder, leaseMs)) === 1) return true;
      return (await redis.set(key, holder, 'PX', leaseMs, 'NX')) === 'OK';
    },
    async release() {
      await redis.eval(releaseScript, 1, key, holder);
    },
  };
}
