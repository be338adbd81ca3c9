import { describe, expect, it } from 'vitest';
import { cancelBatch, createBatch, getBatch, listBatches, readBatchResults, type BatchRecord } from '@switchyard/batches';
import { updateOrg } from '@switchyard/db';
import { eventually } from '@switchyard/testing';
import { chatLine, engineDeps, readFileLines, uploadBatchFile } from '../support/batches.ts';
import { useGateway } from '../support/use-gateway.ts';

const maxQueuedLines = 10;

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai' } },
  overrides: ({ openai }) => ({
    providers: { openai: { apiKey: 'sk-upstream', baseUrl: openai.url } },
    batches: { maxQueuedLines, chunkLines: 5, tickMs: 50 },
  }),
  workerOptions: { concurrency: 4 },
});
const deps = () => engineDeps(gateway, gateway.redis);

async function untilEnded(orgId: string, id: string): Promise<BatchRecord> {
  return eventually(
    `batch ${id} to end`,
    async () => {
      const batch = await getBatch(gateway.db, orgId, id);
      return batch && ['completed', 'failed', 'cancelled', 'expired'].includes(batch.status) ? batch : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 50 },
  );
}

/** Jobs of the provider queue not finished yet: what a batch's window bounds. */
async function unfinishedJobs(): Promise<number> {
  const counts = await gateway.api.context.queues.get('openai').getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'paused');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

describe('batch engine', () => {
  it('answers every line exactly once across the output and error files, bad lines alone in the error file, within its window', async () => {
    gateway.upstreams.openai.behave('gpt-4o-mini', { latencyMs: 15 });
    const good = Array.from({ length: 60 }, (_, index) => chatLine(`good-${index}`, `question ${index}`));
    const bad = [
      'this is not json',
      JSON.stringify({ custom_id: 'wrong-url', method: 'POST', url: '/v1/embeddings', body: { model: 'gpt-4o-mini', input: 'x' } }),
      chatLine('unknown-model', 'hello', 'no-such-model'),
      chatLine('good-3', 'a second line with the same custom_id'),
      JSON.stringify({ method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } }),
      JSON.stringify({ custom_id: 'bad-body', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini' } }),
    ];
    const lines = [...good.slice(0, 30), ...bad, '', ...good.slice(30)];
    const fileId = await uploadBatchFile(gateway.db, gateway.orgId, lines);
    const created = await createBatch(deps(), {
      orgId: gateway.orgId,
      keyId: 'key_batch_test',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      metadata: { purpose: 'test' },
      source: { fileId },
      shell: 'openai',
    });
    expect(created.status).toBe('validating');
    expect(created.id).toMatch(/^batch_/);

    let peakUnfinished = 0;
    const ended = await eventually(
      'the batch to complete',
      async () => {
        peakUnfinished = Math.max(peakUnfinished, await unfinishedJobs());
        const batch = await getBatch(gateway.db, gateway.orgId, created.id);
        return batch?.status === 'completed' ? batch : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 20 },
    );
    expect(peakUnfinished).toBeGreaterThan(0);
    expect(peakUnfinished).toBeLessThanOrEqual(maxQueuedLines);

    expect(ended.counts).toEqual({ total: 66, completed: 60, failed: 6, cancelled: 0, expired: 0 });
    expect(ended.usage.input_tokens).toBeGreaterThan(0);
    expect(Number(ended.costUsd)).toBeGreaterThan(0);
    const output = await readFileLines(gateway.db, ended.outputFileId);
    const errors = await readFileLines(gateway.db, ended.errorFileId);
    expect(output).toHaveLength(60);
    expect(errors).toHaveLength(6);
    expect(new Set(output.map((line) => line.custom_id))).toEqual(new Set(good.map((_, index) => `good-${index}`)));
    for (const line of output) {
      expect(line.response?.status_code).toBe(200);
      expect(line.error).toBeNull();
      expect(line.response?.request_id).toMatch(new RegExp(`^${created.id}-\\d+$`));
      expect(line.response?.body).toMatchObject({ object: 'chat.completion' });
    }
    // Envelope problems carry `error`; a body the endpoint refused reads as the endpoint's answer.
    const errorCodes = Object.fromEntries(
      errors.map((line) => [
        line.custom_id ?? `null-${line.error?.code}`,
        line.error?.code ?? `${line.response?.status_code} ${(line.response?.body as { error?: { code: string } } | undefined)?.error?.code}`,
      ]),
    );
    expect(errorCodes).toEqual({
      'null-invalid_json': 'invalid_json',
      'null-invalid_request': 'invalid_request',
      'wrong-url': 'invalid_request',
      'unknown-model': '404 model_not_found',
      'good-3': 'duplicate_custom_id',
      'bad-body': '400 invalid_request',
    });

    // Every line ran as one job, recorded once, carrying its batch and custom_id.
    const jobs = await gateway.db.selectFrom('jobs').select(['id', 'custom_id', 'mode', 'status']).where('batch_id', '=', created.id).execute();
    expect(jobs).toHaveLength(60);
    expect(jobs.every((job) => job.mode === 'batch' && job.status === 'completed')).toBe(true);
    const results = [];
    for await (const result of readBatchResults(gateway.db, gateway.orgId, created.id)) results.push(result);
    expect(results.map((result) => result.index)).toEqual([...results.map((result) => result.index)].sort((a, b) => a - b));
    expect(results).toHaveLength(66);

    // Its finished jobs do not linger in Redis.
    await eventually('the finished line jobs to be cleaned out of Redis', async () => {
      const counts = await gateway.api.context.queues.get('openai').getJobCounts('completed');
      return counts.completed === 0;
    });
  });

  it('fails a batch whose input is not JSONL at all', async () => {
    const fileId = await uploadBatchFile(gateway.db, gateway.orgId, ['hello', 'this is plain text', 'not json either']);
    const created = await createBatch(deps(), {
      orgId: gateway.orgId,
      keyId: 'key_batch_test',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      source: { fileId },
      shell: 'openai',
    });
    const ended = await untilEnded(gateway.orgId, created.id);
    expect(ended.status).toBe('failed');
    expect(ended.failedAt).not.toBeNull();
    expect(ended.errors?.data[0]?.code).toBe('invalid_file');
    expect(ended.outputFileId).toBeNull();
  });

  it('refuses a completion window other than 24h', async () => {
    await expect(
      createBatch(deps(), {
        orgId: gateway.orgId,
        keyId: 'key_batch_test',
        endpoint: '/v1/chat/completions',
        completionWindow: '1h',
        source: { lines: [chatLine('a', 'b')] },
        shell: 'openai',
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', param: 'completion_window' });
  });

  it('cancels: queued lines dropped, finished ones in the output file, the rest canceled in the error file', async () => {
    gateway.upstreams.openai.behave('gpt-4o-mini', { latencyMs: 150 });
    const lines = Array.from({ length: 80 }, (_, index) => chatLine(`c-${index}`, `cancel me ${index}`));
    const created = await createBatch(deps(), {
      orgId: gateway.orgId,
      keyId: 'key_batch_test',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      source: { lines },
      shell: 'anthropic',
    });
    expect(created.id).toMatch(/^msgbatch_/);
    await eventually('some lines to complete', async () => ((await getBatch(gateway.db, gateway.orgId, created.id))?.counts.completed ?? 0) >= 5);
    const cancelling = await cancelBatch(deps(), gateway.orgId, created.id);
    expect(cancelling?.status).toBe('cancelling');
    const ended = await untilEnded(gateway.orgId, created.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.counts.completed).toBeGreaterThanOrEqual(5);
    expect(ended.counts.cancelled).toBeGreaterThan(0);
    expect(ended.counts.completed + ended.counts.failed + ended.counts.cancelled).toBe(80);
    const output = await readFileLines(gateway.db, ended.outputFileId);
    const errors = await readFileLines(gateway.db, ended.errorFileId);
    expect(output.length + errors.length).toBe(80);
    expect(new Set([...output, ...errors].map((line) => line.custom_id)).size).toBe(80);
    expect(errors.every((line) => line.error?.code === 'batch_cancelled')).toBe(true);
    const results = [];
    for await (const result of readBatchResults(gateway.db, gateway.orgId, created.id)) results.push(result.outcome);
    expect(results.filter((outcome) => outcome === 'canceled')).toHaveLength(ended.counts.cancelled);
    // Nothing of it is left to run.
    expect(await unfinishedJobs()).toBe(0);
  });

  it('starts no line of an org at its monthly budget; the lines wait (here until cancelled)', async () => {
    const broke = await gateway.createTenant('org-broke');
    await updateOrg(gateway.db, broke.orgId, { monthlyBudgetUsd: '0' });
    const upstreamCalls = gateway.upstreams.openai.requests.length;
    const created = await createBatch(deps(), {
      orgId: broke.orgId,
      keyId: 'key_broke',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      source: { lines: Array.from({ length: 12 }, (_, index) => chatLine(`broke-${index}`, 'over budget')) },
      shell: 'openai',
    });
    await eventually('the batch to be validated and running', async () => (await getBatch(gateway.db, broke.orgId, created.id))?.status === 'in_progress');
    // Several driver ticks pass: nothing is fed while the org is over its budget.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await unfinishedJobs()).toBe(0);
    await cancelBatch(deps(), broke.orgId, created.id);
    const ended = await untilEnded(broke.orgId, created.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.counts).toMatchObject({ total: 12, completed: 0, cancelled: 12 });
    expect(gateway.upstreams.openai.requests.length).toBe(upstreamCalls);
  });

  it("keeps each org's batches to itself", async () => {
    const other = await gateway.createTenant('org-b');
    const created = await createBatch(deps(), {
      orgId: gateway.orgId,
      keyId: 'key_batch_test',
      endpoint: '/v1/chat/completions',
      completionWindow: '24h',
      source: { lines: [chatLine('mine', 'private')] },
      shell: 'openai',
    });
    await untilEnded(gateway.orgId, created.id);
    expect(await getBatch(gateway.db, other.orgId, created.id)).toBeUndefined();
    expect((await listBatches(gateway.db, other.orgId, { limit: 10 })).data).toEqual([]);
    expect(await cancelBatch(deps(), other.orgId, created.id)).toBeUndefined();
    const foreign = [];
    for await (const result of readBatchResults(gateway.db, other.orgId, created.id)) foreign.push(result);
    expect(foreign).toEqual([]);
    const mine = await listBatches(gateway.db, gateway.orgId, { limit: 2 });
    expect(mine.data[0]?.id).toBe(created.id);
    expect(mine.hasMore).toBe(true);
    const older = await listBatches(gateway.db, gateway.orgId, { limit: 10, after: created.id });
    expect(older.data.some((batch) => batch.id === created.id)).toBe(false);
    const newer = await listBatches(gateway.db, gateway.orgId, { limit: 10, before: older.data[0]!.id });
    expect(newer.data.map((batch) => batch.id)).toContain(created.id);
  });
});
