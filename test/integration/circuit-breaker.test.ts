import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix, testRedis, uniquePrefix } from '@switchyard/testing';
import { createCircuitBreakers, type BreakerTransition } from '@switchyard/queue';

const gpt4o = { provider: 'openai', model: 'gpt-4o' };
const settings = { failureThreshold: 3, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1, successesToClose: 2 };
// Ratio mode only: no absolute threshold, so five failures in a row open nothing by themselves.
const ratioSettings = { failureRatio: 0.5, minimumCalls: 10, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1, successesToClose: 1 };
const busy = { provider: 'busy', model: 'big-model' };
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
  return createCircuitBreakers({
    redis,
    prefix,
    settings: { openai: settings, busy: ratioSettings },
    now: () => clock.now,
    refreshMs: 60_000,
    onTransition: (transition) => transitions.push(transition),
  });
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

  it("keeps one deployment's failures to itself: the provider's other models stay closed", async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 6_000_000 };
    const mini = { provider: 'openai', model: 'gpt-4o-mini' };
    const breakers = createCircuitBreakers({ redis, prefix, settings: { openai: settings }, deployments: [mini], now: () => clock.now, refreshMs: 60_000 });
    for (let index = 0; index < 3; index++) await breakers.recordFailure(gpt4o);
    expect(breakers.state(gpt4o)).toBe('open');
    expect(await breakers.acquire(mini)).toMatchObject({ allowed: true, state: 'closed' });
    expect((await breakers.snapshot(mini)).failures).toBe(0);
    expect(breakers.deployments('openai')).toEqual([
      { provider: 'openai', model: 'gpt-4o', state: 'open' },
      { provider: 'openai', model: 'gpt-4o-mini', state: 'closed' },
    ]);
    breakers.close();
  });

  it('knows a route by its upstream model: two catalog ids of one upstream model share a breaker', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 7_000_000 };
    const breakers = breakersAt(clock, prefix);
    const first = { provider: 'openai', model: 'fast-chat', upstreamModel: 'gpt-4o' };
    const second = { provider: 'openai', model: 'smart-chat', upstreamModel: 'gpt-4o' };
    for (let index = 0; index < 3; index++) await breakers.recordFailure(first);
    expect(breakers.state(second)).toBe('open');
    expect(breakers.state(gpt4o)).toBe('open');
    expect((await breakers.acquire(second)).allowed).toBe(false);
    breakers.close();
  });

  it("ratio mode: counts other processes' successes in the window and opens only once the ratio is reached", async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 8_000_000 };
    const serving = breakersAt(clock, prefix);
    const failing = breakersAt(clock, prefix);
    for (let index = 0; index < 10; index++) await serving.recordSuccess(busy);
    await serving.refresh(); // hands the counted successes to Redis
    for (let index = 0; index < 9; index++) await failing.recordFailure(busy);
    expect(failing.state(busy)).toBe('closed'); // 9 of 19 calls failed
    expect(await failing.snapshot(busy)).toMatchObject({ state: 'closed', calls: 19, failures: 9 });
    await failing.recordFailure(busy);
    expect(failing.state(busy)).toBe('open'); // 10 of 20
    serving.close();
    failing.close();
  });

  it('ratio mode: a failure carries the successes this process counted since its last refresh', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 9_000_000 };
    const breakers = breakersAt(clock, prefix);
    for (let index = 0; index < 5; index++) await breakers.recordSuccess(busy);
    for (let index = 0; index < 4; index++) await breakers.recordFailure(busy);
    expect(breakers.state(busy)).toBe('closed'); // 9 calls: below minimumCalls
    await breakers.recordFailure(busy);
    expect(breakers.state(busy)).toBe('open'); // 5 of 10
    breakers.close();
  });

  it('ratio mode: a quiet deployment below minimumCalls stays closed until the calls arrive', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 10_000_000 };
    const breakers = breakersAt(clock, prefix);
    for (let index = 0; index < 9; index++) await breakers.recordFailure(busy);
    expect(breakers.state(busy)).toBe('closed');
    await breakers.recordSuccess(busy);
    await breakers.refresh(); // the tenth call makes the window big enough: 9 of 10 failed
    expect(breakers.state(busy)).toBe('open');
    breakers.close();
  });

  it('ratio mode: calls leave the sliding window a bucket at a time', async () => {
    const prefix = uniquePrefix('breaker');
    prefixes.push(prefix);
    const clock = { now: 11_000_000 };
    const breakers = breakersAt(clock, prefix);
    for (let index = 0; index < 5; index++) await breakers.recordFailure(busy);
    clock.now += 5_000;
    for (let index = 0; index < 4; index++) await breakers.recordSuccess(busy);
    await breakers.refresh();
    clock.now += 6_000; // the five failures are more than a window old now, the successes half one
    await breakers.recordFailure(busy);
    expect(breakers.state(busy)).toBe('closed'); // all ten counted would be 6 of 10
    expect(await breakers.snapshot(busy)).toMatchObject({ state: 'closed', calls: 5, failures: 1 });
    breakers.close();
  });
});
