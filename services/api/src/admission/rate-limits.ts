// Requests and tokens per minute, per key and per org, counted in Redis so every api
// process shares the same windows. rate-limiter-flexible keeps fixed one-minute windows
// (INCRBY + PEXPIRE in one Lua call) under `<prefix>:rl:<limit>:<id>`.
import type { RedisConnection } from '@switchyard/queue';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '@switchyard/logger';
import { rateLimitKeyPrefix } from '@switchyard/queue';
import type { Principal } from '../middleware/authenticate.ts';
import { formatResetDuration } from './reset-duration.ts';

type LimitName = 'key-rpm' | 'org-rpm' | 'org-tpm';

/** One limit as the `x-ratelimit-*` headers report it. */
export type LimitState = { limit: number; remaining: number; resetMs: number };

/** Tokens charged to an org's window at admission, to be settled against the real usage. */
export type TokenCharge = { orgId: string; tpmLimit: number; tokens: number; windowEndsAt: number };

export type RateLimitVerdict = {
  requests?: LimitState;
  tokens?: LimitState;
  /** Present when the request must be refused. */
  rejection?: { message: string; retryAfterMs: number };
  tokenCharge?: TokenCharge;
};

type Check = { name: LimitName; limiter: RateLimiterRedis; key: string; points: number };
type Counted = Check & { result: RateLimiterRes; rejected: boolean };

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(options: { redis: RedisConnection; prefix: string; logger: Logger; windowSeconds?: number }) {
  const windowSeconds = options.windowSeconds ?? 60;
  // One limiter per (limit, size): a limiter's size is fixed, orgs' limits are not.
  const limiters = new Map<string, RateLimiterRedis>();
  const limiterFor = (name: LimitName, points: number): RateLimiterRedis => {
    const id = `${name}:${points}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({ storeClient: options.redis, keyPrefix: rateLimitKeyPrefix(options.prefix, name), points, duration: windowSeconds });
      limiters.set(id, limiter);
    }
    return limiter;
  };

  /**
   * Counts one request (and its estimated tokens) against the key's and the org's windows.
   * A refused request is taken back out of every window, so only admitted requests count.
   * Redis trouble admits the request: the enqueue right after reports the outage.
   */
  async function admit(principal: Principal, estimatedTokens: number, now = Date.now()): Promise<RateLimitVerdict> {
    const { rpmLimit, tpmLimit } = principal.org;
    const checks: Check[] = [];
    if (rpmLimit) {
      checks.push({ name: 'key-rpm', limiter: limiterFor('key-rpm', rpmLimit), key: principal.keyId, points: 1 });
      checks.push({ name: 'org-rpm', limiter: limiterFor('org-rpm', rpmLimit), key: principal.orgId, points: 1 });
    }
    if (tpmLimit) checks.push({ name: 'org-tpm', limiter: limiterFor('org-tpm', tpmLimit), key: principal.orgId, points: Math.max(1, estimatedTokens) });
    if (checks.length === 0) return {};

    const settled = await Promise.allSettled(checks.map((check) => check.limiter.consume(check.key, check.points)));
    const counted: Counted[] = [];
    settled.forEach((outcome, index) => {
      const check = checks[index]!;
      const value: unknown = outcome.status === 'fulfilled' ? outcome.value : outcome.reason;
      if (value instanceof RateLimiterRes) counted.push({ ...check, result: value, rejected: outcome.status === 'rejected' });
      else options.logger.warn({ err: value, limit: check.name }, 'rate limit unavailable; request admitted');
    });

    const rejected = counted.filter((entry) => entry.rejected);
    const refused = rejected.length > 0;
    const verdict: RateLimitVerdict = {};
    const requests = counted.filter((entry) => entry.name !== 'org-tpm');
    if (requests.length > 0) verdict.requests = tightest(requests.map((entry) => stateOf(entry, refused)));
    const tokens = counted.find((entry) => entry.name === 'org-tpm');
    if (tokens) verdict.tokens = stateOf(tokens, refused);

    if (!refused) {
      if (tokens && tpmLimit) verdict.tokenCharge = { orgId: principal.orgId, tpmLimit, tokens: tokens.points, windowEndsAt: now + tokens.result.msBeforeNext };
      return verdict;
    }
    await Promise.all(counted.map((entry) => entry.limiter.reward(entry.key, entry.points).catch(() => undefined)));
    const retryAfterMs = Math.max(...rejected.map((entry) => entry.result.msBeforeNext));
    verdict.rejection = { message: rejectionMessage(rejected[0]!, retryAfterMs), retryAfterMs };
    return verdict;
  }

  /**
   * Replaces the estimate charged at admission by the tokens the request really used.
   * A window that has already closed is left alone: the next one owes nothing.
   */
  async function reconcile(charge: TokenCharge, actualTokens: number, now = Date.now()): Promise<void> {
    if (now >= charge.windowEndsAt) return;
    const difference = actualTokens - charge.tokens;
    if (difference === 0) return;
    const limiter = limiterFor('org-tpm', charge.tpmLimit);
    try {
      if (difference > 0) await limiter.penalty(charge.orgId, difference);
      else await limiter.reward(charge.orgId, -difference);
    } catch (error) {
      options.logger.warn({ err: error, orgId: charge.orgId }, 'token reconciliation failed');
    }
  }

  return { admit, reconcile };
}

function stateOf(entry: Counted, refunded: boolean): LimitState {
  const limit = entry.limiter.points;
  // A refused request is taken back out of every window, so what remains is what was there before it.
  const consumed = refunded ? entry.result.consumedPoints - entry.points : entry.result.consumedPoints;
  return { limit, remaining: Math.max(0, Math.min(limit, limit - consumed)), resetMs: entry.result.msBeforeNext };
}

function tightest(states: LimitState[]): LimitState {
  return states.reduce((tightestSoFar, state) => (state.remaining < tightestSoFar.remaining ? state : tightestSoFar));
}

function rejectionMessage(entry: Counted, retryAfterMs: number): string {
  const limit = entry.limiter.points;
  const wait = `Please try again in ${formatResetDuration(retryAfterMs)}.`;
  switch (entry.name) {
    case 'key-rpm':
      return `Rate limit reached for requests per minute on this API key: limit ${limit}. ${wait}`;
    case 'org-rpm':
      return `Rate limit reached for requests per minute on your organization: limit ${limit}. ${wait}`;
    case 'org-tpm':
      if (entry.points > limit) {
        return `Request too large: it is estimated at ${entry.points} tokens (input plus max_tokens), more than your organization's limit of ${limit} tokens per minute. Lower max_tokens or shorten the input.`;
      }
      return `Rate limit reached for tokens per minute on your organization: limit ${limit}, requested ${entry.points}. ${wait}`;
  }
}
