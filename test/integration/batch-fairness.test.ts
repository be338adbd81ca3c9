import { describe, expect, it } from 'vitest';
import { createBatch, getBatch } from '@switchyard/batches';
import { eventually } from '@switchyard/testing';
import { chatLine, engineDeps } from '../support/batches.ts';
import { useGateway } from '../support/use-gateway.ts';

const linesPerBatch = 200;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({
    providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url } },
    batches: { maxQueuedLines: 20, chunkLines: 10, tickMs: 50 },
  }),
  workerOptions: { concurrency: 4 },
});

async function chat(apiKey: string, content: string) {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
  return response.status;
}

describe('batch fairness', () => {
  it("lets two orgs' batches on one provider progress together, and serves a sync chat while their backlog waits", async () => {
    gateway.upstreams.openai.behave('gpt-4o-mini', { latencyMs: 40 });
    const other = await gateway.createTenant('org-b');
    const deps = engineDeps(gateway, gateway.redis);
    const batchOf = (orgId: string, tag: string) =>
      createBatch(deps, {
        orgId,
        keyId: `key_${tag}`,
        endpoint: '/v1/chat/completions',
        completionWindow: '24h',
        source: { lines: Array.from({ length: linesPerBatch }, (_, index) => chatLine(`${tag}-${index}`, `${tag} question ${index}`)) },
        shell: 'openai',
      });
    const first = await batchOf(gateway.orgId, 'a');
    // The second org arrives once the first batch is already running.
    await eventually('the first batch to start', async () => ((await getBatch(gateway.db, gateway.orgId, first.id))?.counts.completed ?? 0) > 0);
    const second = await batchOf(other.orgId, 'b');
    const completedOf = async () => ({
      a: (await getBatch(gateway.db, gateway.orgId, first.id))!.counts.completed,
      b: (await getBatch(gateway.db, other.orgId, second.id))!.counts.completed,
    });

    // A sync chat on the same provider, sent while both backlogs wait.
    await eventually('the second batch to start', async () => (await completedOf()).b > 0);
    expect(await chat(gateway.apiKey, 'an interactive question during the batches')).toBe(200);
    const [afterChatA, afterChatB] = await Promise.all([getBatch(gateway.db, gateway.orgId, first.id), getBatch(gateway.db, other.orgId, second.id)]);
    expect(afterChatA!.status).toBe('in_progress');
    expect(afterChatB!.status).toBe('in_progress');

    // Midpoint: half of the two batches' lines done; neither batch starves.
    const midpoint = await eventually(
      'half of all lines to complete',
      async () => {
        const counts = await completedOf();
        return counts.a + counts.b >= linesPerBatch ? counts : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    expect(midpoint.a).toBeGreaterThan(midpoint.b * 0.25);
    expect(midpoint.b).toBeGreaterThan(midpoint.a * 0.25);

    await eventually(
      'both batches to complete',
      async () => {
        const [a, b] = await Promise.all([getBatch(gateway.db, gateway.orgId, first.id), getBatch(gateway.db, other.orgId, second.id)]);
        return a?.status === 'completed' && b?.status === 'completed';
      },
      { timeoutMs: 90_000 },
    );
  });
});
