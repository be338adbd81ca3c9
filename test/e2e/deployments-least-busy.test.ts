// `strategy: least-busy`: a request starts on the deployment whose provider queue holds
// the fewest waiting jobs. The busy provider has no worker here, so the async jobs parked
// on its queue stay there and its depth is known without any timing.
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway({
  upstreams: { busy: { kind: 'openai' }, idle: { kind: 'openai' } },
  workerOptions: { providers: ['idle'] },
  overrides: (upstreams) => ({
    providers: {
      busy: { kind: 'openai-compatible', apiKey: 'sk-busy', baseUrl: upstreams.busy.url, attempts: 1 },
      idle: { kind: 'openai-compatible', apiKey: 'sk-idle', baseUrl: upstreams.idle.url, attempts: 1 },
    },
    models: {
      'busy-only': { provider: 'busy' },
      spread: { strategy: 'least-busy', deployments: [{ provider: 'busy' }, { provider: 'idle' }] },
    },
  }),
});

/** An async request that waits up to `waitSeconds` for its answer: 200 when a worker answered, 202 while it is queued. */
async function askAsync(model: string, waitSeconds: number) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json', prefer: `respond-async, wait=${waitSeconds}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.body?.cancel();
  return response.status;
}

beforeAll(async () => {
  // Three jobs parked on busy's queue: nothing serves it.
  for (let index = 0; index < 3; index++) expect(await askAsync('busy-only', 0)).toBe(202);
});

describe('least-busy deployments', () => {
  it('starts requests on the emptier queue once the api has sampled the depths', async () => {
    // Until the api's sampler has seen busy's backlog, the draw is a tie and some requests
    // park on busy; once it has, a batch of 20 all land on idle (a tie would do that 1 time in 2^20).
    await eventually(
      'a batch of 20 requests all answered by the idle deployment',
      async () => {
        const statuses = await Promise.all(Array.from({ length: 20 }, () => askAsync('spread', 2)));
        return statuses.every((status) => status === 200);
      },
      { timeoutMs: 30_000 },
    );
    expect(gateway.upstreams.busy.requests).toHaveLength(0);
  });
});
