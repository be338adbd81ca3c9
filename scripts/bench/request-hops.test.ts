import { describe, expect, it } from 'vitest';
import { monitorTimeMs, requestHops, type MonitorEvent } from './request-hops.ts';

const enqueue = (atMs: number): MonitorEvent => ({
  atMs,
  command: 'evalsha',
  args: ['sha', '9', 'sy:{inference-openai}:inference-openai:wait', 'sy:{inference-openai}:inference-openai:paused'],
});
const fetch = (atMs: number): MonitorEvent => ({
  atMs,
  command: 'evalsha',
  args: ['sha', '11', 'sy:{inference-openai}:inference-openai:wait', 'sy:{inference-openai}:inference-openai:active'],
});
const reply = (atMs: number): MonitorEvent => ({ atMs, command: 'publish', args: ['sy:reply:api_1', '{"kind":"result"}'] });
const authRevision = (atMs: number): MonitorEvent => ({ atMs, command: 'get', args: ['sy:auth:revision'] });

describe('requestHops', () => {
  it('splits a request at its auth read, enqueue, fetch and reply', () => {
    const events = [
      authRevision(1000.4),
      { atMs: 1000.5, command: 'hmget', args: ['sy:breaker:openai:gpt-4o', 'state'] },
      enqueue(1001.2),
      fetch(1002),
      fetch(1002.6),
      reply(1003.1),
    ];
    const hops = requestHops({ sentAtMs: 1000, receivedAtMs: 1003.5 }, events)!;
    expect(Object.values(hops).map((value) => Number(value.toFixed(3)))).toEqual([0.4, 0.8, 0.8, 1.1, 0.4]);
  });

  it('starts at the enqueue when the api read nothing before it, and ignores other queues', () => {
    const stalledCheck: MonitorEvent = {
      atMs: 1000.3,
      command: 'evalsha',
      args: ['sha', '9', 'sy:{inference-openai}:inference-openai:stalled', 'sy:{inference-openai}:inference-openai:wait'],
    };
    const webhookFetch: MonitorEvent = {
      atMs: 1001.5,
      command: 'evalsha',
      args: ['sha', '11', 'sy:{webhooks}:webhooks:wait', 'sy:{webhooks}:webhooks:active'],
    };
    const hops = requestHops({ sentAtMs: 1000, receivedAtMs: 1004 }, [stalledCheck, enqueue(1001), webhookFetch, fetch(1002), reply(1003)])!;
    expect(hops['client -> api reads Redis']).toBeCloseTo(1, 6);
    expect(hops['-> job enqueued']).toBe(0);
    expect(hops['-> worker fetches it']).toBeCloseTo(1, 6);
  });

  it('leaves out a request without a landmark, and events outside its window', () => {
    expect(requestHops({ sentAtMs: 1000, receivedAtMs: 1002 }, [authRevision(1000.5), reply(1001)])).toBeUndefined();
    expect(requestHops({ sentAtMs: 1000, receivedAtMs: 1002 }, [enqueue(999), fetch(1001), reply(1001.5)])).toBeUndefined();
  });
});

describe('monitorTimeMs', () => {
  it('reads seconds.microseconds as epoch milliseconds', () => {
    expect(monitorTimeMs('1796174860.296437')).toBeCloseTo(1796174860296.437, 3);
    expect(monitorTimeMs('1796174860.5')).toBeCloseTo(1796174860500, 3);
  });
});
