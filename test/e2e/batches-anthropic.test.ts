// Anthropic's Message Batches API through the official `@anthropic-ai/sdk`, unmodified:
// create, retrieve until ended, iterate results(), cancel, list; errors in Anthropic's
// envelope. Same engine as /v1/batches; the built-in mock provider answers.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatch, MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import { describe, expect, it } from 'vitest';
import { eventually } from '@switchyard/testing';
import { anthropicClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const gateway = useGateway({
  overrides: {
    // One call at a time on a slow model, so a cancelled batch still has lines waiting.
    providers: { mock: { concurrency: 1 } },
    models: { 'mock-batch-slow': { provider: 'mock', options: { latencyMs: 1500 } } },
    batches: { tickMs: 50 },
  },
});
const anthropic = gateway.anthropic;

const request = (customId: string, content: string, model = 'mock-fast') => ({
  custom_id: customId,
  params: { model, max_tokens: 64, messages: [{ role: 'user' as const, content }] },
});

async function untilEnded(client: Anthropic, id: string): Promise<MessageBatch> {
  return eventually(`message batch ${id} to end`, async () => {
    const batch = await client.messages.batches.retrieve(id);
    return batch.processing_status === 'ended' && batch;
  });
}

async function resultsOf(client: Anthropic, id: string): Promise<MessageBatchIndividualResponse[]> {
  const results: MessageBatchIndividualResponse[] = [];
  for await (const result of await client.messages.batches.results(id)) results.push(result);
  return results;
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Anthropic.APIError);
  return error as InstanceType<typeof Anthropic.APIError>;
}

describe('a message batch', () => {
  it('runs every request once: results() yields each custom_id, succeeded with the message or errored', async () => {
    const requests = [request('hello', 'Hello'), request('second', 'How are batches run?'), request('no-model', 'x', 'no-such-model')];
    const created = await anthropic.messages.batches.create({ requests });
    expect(created.id).toMatch(/^msgbatch_/);
    expect(created).toMatchObject({ type: 'message_batch', processing_status: 'in_progress', archived_at: null, results_url: null, ended_at: null });
    expect(created.request_counts.processing).toBe(3);
    expect(Date.parse(created.created_at)).toBeGreaterThan(0);
    expect(Date.parse(created.expires_at)).toBeGreaterThan(Date.parse(created.created_at));

    const batch = await untilEnded(anthropic, created.id);
    expect(batch.request_counts).toEqual({ processing: 0, succeeded: 2, errored: 1, canceled: 0, expired: 0 });
    expect(Date.parse(batch.ended_at ?? '')).toBeGreaterThan(0);
    expect(batch.results_url).toBe(`${gateway.url}/v1/messages/batches/${created.id}/results`);

    // Behind a proxy, results_url names the host and scheme the client called.
    const proxied = await fetch(`${gateway.url}/v1/messages/batches/${created.id}`, {
      headers: { 'x-api-key': gateway.apiKey, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'gateway.example.com' },
    });
    expect(((await proxied.json()) as MessageBatch).results_url).toBe(`https://gateway.example.com/v1/messages/batches/${created.id}/results`);

    const results = await resultsOf(anthropic, created.id);
    expect(results.map((result) => result.custom_id).sort()).toEqual(['hello', 'no-model', 'second']);
    const byId = new Map(results.map((result) => [result.custom_id, result.result]));
    for (const customId of ['hello', 'second']) {
      const result = byId.get(customId);
      if (result?.type !== 'succeeded') throw new Error(`${customId} did not succeed: ${JSON.stringify(result)}`);
      expect(result.message).toMatchObject({ type: 'message', role: 'assistant', model: 'mock-fast' });
      const sync = await anthropic.messages.create(requests.find((candidate) => candidate.custom_id === customId)!.params);
      expect(result.message.content).toEqual(sync.content);
      expect(result.message.usage.output_tokens).toBe(sync.usage.output_tokens);
    }
    const failed = byId.get('no-model');
    if (failed?.type !== 'errored') throw new Error(`no-model did not error: ${JSON.stringify(failed)}`);
    expect(failed.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('refuses a bad body at creation in Anthropic’s envelope', async () => {
    const duplicate = await rejection(anthropic.messages.batches.create({ requests: [request('same', 'a'), request('same', 'b')] }));
    expect(duplicate.status).toBe(400);
    expect(duplicate.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const empty = await rejection(anthropic.messages.batches.create({ requests: [] }));
    expect(empty.status).toBe(400);
  });

  it('answers results of a batch still processing with an error, and an unknown batch with 404', async () => {
    const created = await anthropic.messages.batches.create({ requests: [request('pending', 'x', 'mock-batch-slow')] });
    const early = await fetch(`${gateway.url}/v1/messages/batches/${created.id}/results`, { headers: { 'x-api-key': gateway.apiKey } });
    expect(early.status).toBe(400);
    expect(await early.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const unknown = await rejection(anthropic.messages.batches.retrieve('msgbatch_doesnotexist'));
    expect(unknown.status).toBe(404);
    expect(unknown.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    await untilEnded(anthropic, created.id);
  });
});

describe('cancel', () => {
  it('ends with the requests that had not run canceled, each custom_id once in the results', async () => {
    const requests = Array.from({ length: 10 }, (_, index) => request(`slow-${index}`, `question ${index}`, 'mock-batch-slow'));
    const created = await anthropic.messages.batches.create({ requests });
    const cancelling = await anthropic.messages.batches.cancel(created.id);
    expect(['canceling', 'ended']).toContain(cancelling.processing_status);
    expect(Date.parse(cancelling.cancel_initiated_at ?? '')).toBeGreaterThan(0);

    const batch = await untilEnded(anthropic, created.id);
    expect(batch.request_counts.canceled).toBeGreaterThan(0);
    expect(batch.request_counts.succeeded + batch.request_counts.canceled).toBe(requests.length);
    const results = await resultsOf(anthropic, created.id);
    expect(results.map((result) => result.custom_id).sort()).toEqual(requests.map((item) => item.custom_id).sort());
    expect(results.filter((result) => result.result.type === 'canceled')).toHaveLength(batch.request_counts.canceled);
    expect(results.every((result) => result.result.type === 'canceled' || result.result.type === 'succeeded')).toBe(true);
  });
});

describe('results of a large batch', () => {
  it('streams one line per request across many pages of the engine, each custom_id once', async () => {
    // Cancelled at once: every request ends (canceled, or succeeded if it ran) without waiting for the slow model.
    const requests = Array.from({ length: 1200 }, (_, index) => request(`many-${index}`, 'x', 'mock-batch-slow'));
    const created = await anthropic.messages.batches.create({ requests });
    expect(created.request_counts.processing).toBe(1200);
    await anthropic.messages.batches.cancel(created.id);
    const batch = await untilEnded(anthropic, created.id);
    expect(batch.request_counts.canceled + batch.request_counts.succeeded).toBe(1200);
    const results = await resultsOf(anthropic, created.id);
    expect(results).toHaveLength(1200);
    expect(new Set(results.map((result) => result.custom_id)).size).toBe(1200);
  });
});

describe('list and tenancy', () => {
  it('pages newest first with after_id as the SDK follows it, showing only the caller’s batches', async () => {
    const ids: string[] = [];
    for (const index of [1, 2, 3]) ids.push((await anthropic.messages.batches.create({ requests: [request(`list-${index}`, 'x')] })).id);
    const first = await anthropic.messages.batches.list({ limit: 2 });
    expect(first.data.map((batch) => batch.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    expect(first.first_id).toBe(ids[2]);
    expect(first.last_id).toBe(ids[1]);
    const listed: string[] = [];
    for await (const batch of anthropic.messages.batches.list({ limit: 2 })) listed.push(batch.id);
    expect(listed.slice(0, 3)).toEqual([ids[2], ids[1], ids[0]]);
    expect(new Set(listed).size).toBe(listed.length);

    const other = await gateway.createTenant('org-b');
    const stranger = anthropicClient(gateway, other.apiKey);
    expect((await stranger.messages.batches.list()).data).toEqual([]);
    expect((await rejection(stranger.messages.batches.retrieve(ids[0]!))).status).toBe(404);
    expect((await rejection(stranger.messages.batches.cancel(ids[0]!))).status).toBe(404);
    expect((await rejection(stranger.messages.batches.results(ids[0]!))).status).toBe(404);
    // An OpenAI-shell batch is not a message batch.
    const openAiBatch = await gateway.openai.post<{ id: string }>('/batches', {
      body: { endpoint: '/v1/messages', requests: [{ custom_id: 'o', method: 'POST', url: '/v1/messages', body: request('o', 'x').params }] },
    });
    expect((await rejection(anthropic.messages.batches.retrieve(openAiBatch.id))).status).toBe(404);
  });
});
