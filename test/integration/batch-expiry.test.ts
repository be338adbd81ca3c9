import { describe, expect, it } from 'vitest';
import { createBatch, getBatch, readBatchResults } from '@switchyard/batches';
import { eventually } from '@switchyard/testing';
import { chatLine, engineDeps, readFileLines } from '../support/batches.ts';
import { useGateway } from '../support/use-gateway.ts';

// '24h' is the only window clients may ask for; here it lasts 3 seconds.
const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({
    providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url } },
    batches: { maxQueuedLines: 4, chunkLines: 4, tickMs: 50, completionWindowSeconds: 3 },
  }),
  workerOptions: { concurrency: 2 },
});

describe('batch expiry', () => {
  it('ends a batch past its completion window as expired: finished lines kept, the rest expired', async () => {
    gateway.upstreams.openai.behave('gpt-4o-mini', { latencyMs: 250 });
    const lines = Array.from({ length: 60 }, (_, index) => chatLine(`e-${index}`, `slow ${index}`));
    const created = await createBatch(engineDeps(gateway, gateway.redis), {
      orgId: gateway.orgId,
      keyId: 'key_expiry',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      source: { lines },
      shell: 'openai',
    });
    expect(created.expiresAt! - created.createdAt).toBe(3000);
    const ended = await eventually(
      'the batch to end',
      async () => {
        const batch = await getBatch(gateway.db, gateway.orgId, created.id);
        return batch && ['completed', 'expired', 'failed', 'cancelled'].includes(batch.status) ? batch : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(ended.status).toBe('expired');
    expect(ended.expiredAt).not.toBeNull();
    expect(ended.counts.completed).toBeGreaterThan(0);
    expect(ended.counts.expired).toBeGreaterThan(0);
    expect(ended.counts.completed + ended.counts.failed + ended.counts.expired).toBe(60);
    const output = await readFileLines(gateway.db, ended.outputFileId);
    const errors = await readFileLines(gateway.db, ended.errorFileId);
    expect(output).toHaveLength(ended.counts.completed);
    expect(output.length + errors.length).toBe(60);
    expect(new Set([...output, ...errors].map((line) => line.custom_id)).size).toBe(60);
    expect(errors.filter((line) => line.error?.code === 'batch_expired')).toHaveLength(ended.counts.expired);
    const outcomes = [];
    for await (const result of readBatchResults(gateway.db, gateway.orgId, created.id)) outcomes.push(result.outcome);
    expect(outcomes.filter((outcome) => outcome === 'expired')).toHaveLength(ended.counts.expired);
  });
});
