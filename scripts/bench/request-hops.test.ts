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
const recorded = (atMs: number): MonitorEvent => ({ atMs, command: 'set', args: ['sy:answered:req_1', '{"id":"req_1"}'] });
const reply = (atMs: number): MonitorEvent => ({ atMs, command: 'publish', args: ['sy:reply:api_1', '{"kind":"result"}'] });

describe('requestHops', () => {
  it('splits a request at its enqueue, fetch and recorded answer', () => {
    const events = [
      { atMs: 1000.5, command: 'hmget', args: ['sy:breaker:openai:gpt-4o', 'state'] },
      enqueue(1001.2),
      fetch(1002),
      fetch(1002.6),
      { atMs: 1003, command: 'xadd', args: ['sy:ledger', '*', 'entry', '{}'] },
      recorded(1003.1),
      reply(1003.2),
    ];
    const hops = requestHops({ sentAtMs: 1000, receivedAtMs: 1003.5 }, events)!;
    expect(Object.values(hops).map((value) => Number(value.toFixed(3)))).toEqual([1.2, 0.8, 1.1, 0.4]);
  });

  it('ignores the scripts of other queues and of other BullMQ steps', () => {
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
    const hops = requestHops({ sentAtMs: 1000, receivedAtMs: 1004 }, [stalledCheck, enqueue(1001), webhookFetch, fetch(1002), recorded(1003)])!;
    expect(hops['client -> job enqueued']).toBeCloseTo(1, 6);
    expect(hops['-> worker fetches it']).toBeCloseTo(1, 6);
    expect(hops['-> answer recorded']).toBeCloseTo(1, 6);
  });

  it('leaves out a request without a landmark, and events outside its window', () => {
    expect(requestHops({ sentAtMs: 1000, receivedAtMs: 1002 }, [enqueue(1000.5), fetch(1001), reply(1001.5)])).toBeUndefined();
    expect(requestHops({ sentAtMs: 1000, receivedAtMs: 1002 }, [enqueue(999), fetch(1001), recorded(1001.5)])).toBeUndefined();
  });
});

describe('monitorTimeMs', () => {
  it('reads seconds.microseconds as epoch milliseconds', () => {
    expect(monitorTimeMs('1796174860.296437')).toBeCloseTo(1796174860296.437, 3);
    expect(monitorTimeMs('1796174860.5')).toBeCloseTo(1796174860500, 3);
  });
});
