import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import { createCircuitBreakers, type BreakerTransition } from '@switchyard/queue';

const gpt4o = { provider: 'openai', model: 'gpt-4o' };
const settings = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1, successesToClose: 2 };
let redis: Redis;
let url: string;
const prefixes: string[] = [];

beforeAll(async () => {
  url = (await testRedis()).url;
  redis = new Redis(url);
});

afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(url, prefix);
  redis.disconnect();
});

function breakersAt(clock: { now: number }, prefix: string, transitions: BreakerTransition[] = []) {
  return createCircuitBreakers({ redis, prefix, settings: { openai: settings }, now: () => clock.now, refreshMs: 60_000, onTransition: (transition) => transitions.push(transition) });
}

describe('circuit breakers in Redis', () => {
  it('opens after the failure threshold within the window, and refuses calls while open', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 1_000_000 };
    const transitions: BreakerTransition[] = [];
    const breakers = breakersAt(clock, prefix, transitions);
    await breakers.recordFailure(gpt4o);
    await breakers.recordFailure(gpt4o);
    expect(breakers.state(gpt4o)).toBe('closed');
    expect((await breakers.acquire(gpt4o)).allowed).toBe(true);
    await breakers.recordFailure(gpt4o);
    expect(breakers.state(gpt4o)).toBe('open');
    expect(transitions).toEqual([{ provider: 'openai', model: 'gpt-4o', from: 'closed', to: 'open', at: clock.now }]);
    clock.now += 1000;
    const refused = await breakers.acquire(gpt4o);
    expect(refused).toMatchObject({ allowed: false, state: 'open' });
    expect(refused.retryAfterMs).toBe(4000);
    breakers.close();
  });

  it('forgets failures older than the window', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 2_000_000 };
    const breakers = breakersAt(clock, prefix);
    await breakers.recordFailure(gpt4o);
    await breakers.recordFailure(gpt4o);
    clock.now += settings.windowMs + 1;
    await breakers.recordFailure(gpt4o);
    expect(breakers.state(gpt4o)).toBe('closed');
    expect((await breakers.snapshot(gpt4o)).failures).toBe(1);
    breakers.close();
  });

  it('half-opens after the cool-down with bounded probes, and closes after enough successes', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 3_000_000 };
    const breakers = breakersAt(clock, prefix);
    for (let index = 0; index < 3; index++) await breakers.recordFailure(gpt4o);
    clock.now += settings.openMs;
    expect(await breakers.acquire(gpt4o)).toMatchObject({ allowed: true, state: 'half_open' });
    expect((await breakers.acquire(gpt4o)).allowed).toBe(false); // one probe at a time
    await breakers.recordSuccess(gpt4o);
    expect(breakers.state(gpt4o)).toBe('half_open');
    await breakers.recordSuccess(gpt4o);
    expect(breakers.state(gpt4o)).toBe('closed');
    expect((await breakers.acquire(gpt4o)).allowed).toBe(true);
    breakers.close();
  });

  it('reopens when a probe fails', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 4_000_000 };
    const breakers = breakersAt(clock, prefix);
    for (let index = 0; index < 3; index++) await breakers.recordFailure(gpt4o);
    clock.now += settings.openMs;
    expect((await breakers.acquire(gpt4o)).allowed).toBe(true);
    await breakers.recordFailure(gpt4o);
    expect(breakers.state(gpt4o)).toBe('open');
    expect((await breakers.acquire(gpt4o)).allowed).toBe(false);
    breakers.close();
  });

  it('shares state between processes through Redis', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 5_000_000 };
    const first = breakersAt(clock, prefix);
    const second = breakersAt(clock, prefix);
    for (let index = 0; index < 3; index++) await first.recordFailure(gpt4o);
    expect(second.state(gpt4o)).toBe('closed'); // not refreshed yet
    await second.refresh();
    expect(second.state(gpt4o)).toBe('open');
    expect((await second.acquire(gpt4o)).allowed).toBe(false);
    first.close();
    second.close();
  });
});
