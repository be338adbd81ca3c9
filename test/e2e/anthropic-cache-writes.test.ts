// Anthropic prompt-cache reads and writes end to end: the SDKs see the counters exactly as
// the upstream reported them (Anthropic's apart from input_tokens, OpenAI's inside
// prompt_tokens), and the ledger bills writes at the cache-write price. Stop sequences
// come back to Anthropic clients as stop_reason stop_sequence.
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeUsd, priceVersion } from '@switchyard/core';
import { eventually } from '@switchyard/testing';
import { anthropicClient, openAIClient } from '../support/clients.ts';
import { useGateway } from '../support/use-gateway.ts';

const upstreamKey = 'sk-ant-upstream-secret-0123456789';
const sonnet = 'claude-sonnet-4-5-20250929';
// claude-sonnet-4-5: input 3.00, output 15.00, cache reads 0.30, cache writes 3.75 per million.
const alias = 'claude-sonnet';

const gateway = useGateway({
  upstreams: { anthropic: { kind: 'anthropic', apiKey: upstreamKey } },
  // claude-sonnet now follows the current Sonnet; these tests keep exercising claude-sonnet-4-5.
  overrides: ({ anthropic }) => ({
    providers: { anthropic: { apiKey: upstreamKey, baseUrl: anthropic.url, attempts: 1 } },
    aliases: { 'claude-sonnet': 'claude-sonnet-4-5' },
  }),
});
const upstream = gateway.upstreams.anthropic;
const anthropic = gateway.anthropic;
const openai = gateway.openai;

type UsageReport = { total_requests: number; total_input_tokens: number; total_cost_exact: string };

function usageReport(key: string, requests: number): Promise<UsageReport> {
  return eventually(`the ledger to record ${requests} requests`, async () => {
    const response = await fetch(`${gateway.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await response.json()) as UsageReport;
    return body.total_requests === requests && body;
  });
}

describe('prompt-cache writes through /v1/messages and /v1/chat/completions', () => {
  const question = { role: 'user' as const, content: 'Summarize the cached document' };
  let message: Anthropic.Message;
  let streamed: Anthropic.Message;
  let completion: OpenAI.ChatCompletion;

  beforeAll(async () => {
    upstream.behave(sonnet, { usage: { input: 10_000, output: 9, cached: 2048, cacheWrite: 188 } });
    message = await anthropic.messages.create({ model: alias, max_tokens: 256, messages: [question] });
    completion = await openai.chat.completions.create({ model: alias, messages: [question] });
    upstream.behave(sonnet, { usage: { input: 5000, output: 20, cacheWrite: 4096 } });
    streamed = await anthropic.messages.stream({ model: alias, max_tokens: 256, messages: [question] }).finalMessage();
  });

  it('gives the Anthropic SDK the upstream counters unchanged, non-stream', () => {
    expect(upstream.requests).toHaveLength(3);
    expect(message.usage).toMatchObject({ input_tokens: 7764, cache_read_input_tokens: 2048, cache_creation_input_tokens: 188, output_tokens: 9 });
  });

  it('gives the Anthropic SDK the upstream counters unchanged, streamed', () => {
    expect(streamed.usage).toMatchObject({ input_tokens: 904, cache_read_input_tokens: 0, cache_creation_input_tokens: 4096, output_tokens: 20 });
  });

  it('gives the OpenAI SDK every prompt token in prompt_tokens, cache reads as cached_tokens', () => {
    expect(completion.usage).toMatchObject({
      prompt_tokens: 10_000,
      completion_tokens: 9,
      total_tokens: 10_009,
      prompt_tokens_details: { cached_tokens: 2048 },
    });
  });

  it('bills cache writes at the cache-write price in the usage report and the ledger rows', async () => {
    // 7764 × 3 + 2048 × 0.3 + 188 × 3.75 + 9 × 15 = 24746.4 per million, twice (Anthropic and OpenAI clients),
    // plus 904 × 3 + 4096 × 3.75 + 20 × 15 = 18372 per million: 67864.8 per million.
    const report = await usageReport(gateway.apiKey, 3);
    expect(normalizeUsd(report.total_cost_exact)).toBe('0.0678648');
    expect(report.total_input_tokens).toBe(25_000);

    const events = await gateway.database.db
      .selectFrom('usage_events')
      .select(['cache_write_input_tokens', 'cached_input_tokens', 'cost_usd', 'price_version'])
      .where('org_id', '=', gateway.orgId)
      .execute();
    expect(events.map((event) => [event.cache_write_input_tokens, event.cached_input_tokens, normalizeUsd(event.cost_usd)]).sort()).toEqual([
      ['188', 2048, '0.0247464'],
      ['188', 2048, '0.0247464'],
      ['4096', 0, '0.018372'],
    ]);
    const pricing = gateway.config.models['claude-sonnet-4-5']!.pricing;
    expect(pricing.cacheWrite).toBe('3.75');
    expect(new Set(events.map((event) => event.price_version))).toEqual(new Set([priceVersion(pricing)]));
    expect(priceVersion(pricing)).not.toBe(priceVersion({ ...pricing, cacheWrite: undefined }));

    const daily = await gateway.database.db.selectFrom('usage_daily').selectAll().where('org_id', '=', gateway.orgId).execute();
    expect(daily).toHaveLength(1);
    expect(daily[0]).toMatchObject({ attempts: '3', input_tokens: '25000', cached_input_tokens: '4096', cache_write_input_tokens: '4472' });
  });
});

describe('stop sequences through /v1/messages and /v1/chat/completions', () => {
  // A tenant of its own, so these calls stay out of the cache-write totals above.
  let tenant: { orgId: string; apiKey: string };
  const request = { model: alias, max_tokens: 256, stop_sequences: [' three', ' two'], messages: [{ role: 'user' as const, content: 'one two three' }] };

  beforeAll(async () => {
    tenant = await gateway.createTenant('stop-sequences');
    upstream.behave(sonnet, {});
  });

  it('answers stop_reason stop_sequence with the sequence, non-stream and streamed', async () => {
    const client = anthropicClient(gateway, tenant.apiKey);
    const message = await client.messages.create(request);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ stop_sequences: [' three', ' two'] });
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'echo: one' }], stop_reason: 'stop_sequence', stop_sequence: ' two' });
    const streamed = await client.messages.stream(request).finalMessage();
    expect(streamed).toMatchObject({ content: [{ type: 'text', text: 'echo: one' }], stop_reason: 'stop_sequence', stop_sequence: ' two' });
  });

  it('answers a plain end_turn with stop_sequence null when no sequence was met', async () => {
    const client = anthropicClient(gateway, tenant.apiKey);
    const message = await client.messages.create({ ...request, stop_sequences: ['absent'] });
    expect(message).toMatchObject({ content: [{ type: 'text', text: 'echo: one two three' }], stop_reason: 'end_turn', stop_sequence: null });
  });

  it('answers OpenAI clients finish_reason stop', async () => {
    const client = openAIClient(gateway, tenant.apiKey);
    const answer = await client.chat.completions.create({ model: alias, stop: [' two'], messages: [{ role: 'user', content: 'one two three' }] });
    expect(answer.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'echo: one' } });
  });
});
