import { describe, expect, it } from 'vitest';
import { GatewayError, type Route } from '@switchyard/core';
import { chooseStartRoute } from './start-route.ts';

const routes: Route[] = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', upstreamModel: 'claude-sonnet-4-5' },
  { provider: 'openai', model: 'gpt-4o', upstreamModel: 'gpt-4o' },
];
const sync = { requestedModel: 'claude-sonnet', needsLiveWorker: true };

describe('chooseStartRoute', () => {
  it('starts at the first route that is not open and has a worker', () => {
    expect(chooseStartRoute(routes, [{ liveWorkers: 1 }, { liveWorkers: 1 }], sync)).toEqual({ skip: 0 });
    expect(chooseStartRoute(routes, [{ openForMs: 5000, liveWorkers: 1 }, { liveWorkers: 1 }], sync)).toEqual({ skip: 1 });
    expect(chooseStartRoute(routes, [{ liveWorkers: 0 }, { liveWorkers: 2 }], sync)).toEqual({ skip: 1 });
  });

  it('lets a cooled-down breaker through for a probe, and an unsampled provider too', () => {
    expect(chooseStartRoute(routes, [{ openForMs: 0, liveWorkers: 1 }, {}], sync)).toEqual({ skip: 0 });
    expect(chooseStartRoute(routes, [{}, {}], sync)).toEqual({ skip: 0 });
  });

  it('keeps taking sync requests for a provider whose worker was live moments ago (a restart)', () => {
    expect(chooseStartRoute(routes, [{ liveWorkers: 0, workerRecentlySeen: true }, { liveWorkers: 1 }], sync)).toEqual({ skip: 0 });
  });

  it('queues async work for a provider with no worker yet', () => {
    expect(chooseStartRoute(routes, [{ liveWorkers: 0 }, { liveWorkers: 0 }], { ...sync, needsLiveWorker: false })).toEqual({ skip: 0 });
  });

  it('answers 503 with the shortest cool-down when every route is open', () => {
    const start = chooseStartRoute(routes, [{ openForMs: 9000 }, { openForMs: 4000 }], sync);
    expect('error' in start && start.error.code).toBe('provider_unavailable');
    expect('error' in start && start.error.retryAfterMs).toBe(4000);
  });

  it('names the worker to start when no route has one', () => {
    const start = chooseStartRoute(routes, [{ liveWorkers: 0 }, { openForMs: 3000 }], sync);
    if (!('error' in start)) throw new Error('expected a refusal');
    expect(start.error.code).toBe('provider_unavailable');
    expect(start.error.message).toContain('switchyard worker --provider anthropic');
    expect(start.error.retryAfterMs).toBe(3000);
  });

  it('moves past a route whose queue is full to the next one (another deployment, then a fallback)', () => {
    const full = new GatewayError('queue_full', 'the anthropic queue is full (30 waiting); retry later', { retryAfterMs: 2000 });
    expect(chooseStartRoute(routes, [{ liveWorkers: 1, queueFull: full }, { liveWorkers: 1 }], sync)).toEqual({ skip: 1 });
  });

  it("answers the first full queue's 429 when every route left is full, even beside open or workerless ones", () => {
    const first = new GatewayError('queue_full', 'the anthropic queue is full (30 waiting); retry later', { retryAfterMs: 2000 });
    const second = new GatewayError('queue_full', 'the openai queue is full (50 waiting); retry later', { retryAfterMs: 7000 });
    const allFull = chooseStartRoute(
      routes,
      [
        { liveWorkers: 1, queueFull: first },
        { liveWorkers: 1, queueFull: second },
      ],
      sync,
    );
    expect(allFull).toEqual({ error: first });
    const fullAndOpen = chooseStartRoute(routes, [{ openForMs: 9000 }, { liveWorkers: 1, queueFull: second }], sync);
    expect(fullAndOpen).toEqual({ error: second });
    const fullAndWorkerless = chooseStartRoute(routes, [{ liveWorkers: 0 }, { liveWorkers: 1, queueFull: second }], sync);
    expect('error' in fullAndWorkerless && fullAndWorkerless.error.code).toBe('queue_full');
  });
});
