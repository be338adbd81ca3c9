import { ProviderError, type ChatRequest } from '@switchyard/core';
import { expectedMockAnswer, startMockOpenAIUpstream, type MockUpstream } from '@switchyard/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, providerConfig, signal } from '../__fixtures__/provider-config.ts';
import { createProvider } from '../registry.ts';
import type { ProviderAdapter } from '../types.ts';

const apiKey = 'azure-key-0123456789';
const request: ChatRequest = { model: 'my-gpt4o-deployment', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello Azure' }] }] };
const expected = expectedMockAnswer(['Hello Azure'], 'Hello Azure');

describe('azure-openai adapter', () => {
  let upstream: MockUpstream;
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    upstream = await startMockOpenAIUpstream({ apiKey });
    adapter = createProvider(providerConfig({ name: 'azure-openai', kind: 'azure-openai', baseUrl: upstream.origin, apiKey, apiVersion: '2024-10-21' }));
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());

  it('calls the deployment URL with api-version and the api-key header, not Bearer', async () => {
    const response = await adapter.generate(request, { signal: signal() });
    expect(response.content).toEqual([{ type: 'text', text: expected.text }]);
    expect(response.usage).toMatchObject({ inputTokens: expected.inputTokens, outputTokens: expected.outputTokens });
    const [recorded] = upstream.requests;
    expect(recorded?.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions');
    expect(recorded?.query).toEqual({ 'api-version': '2024-10-21' });
    expect(recorded?.headers['api-key']).toBe(apiKey);
    expect(recorded?.headers.authorization).toBeUndefined();
  });

  it('streams with usage', async () => {
    const parts = await collect(adapter.stream(request, { signal: signal() }));
    expect(
      parts
        .filter((part) => part.type === 'text-delta')
        .map((part) => (part.type === 'text-delta' ? part.text : ''))
        .join(''),
    ).toBe(expected.text);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { outputTokens: expected.outputTokens } });
  });

  it('embeds through the deployment', async () => {
    const response = await adapter.embed!({ model: 'my-embedding-deployment', input: ['x'] }, { signal: signal() });
    expect(response.embeddings[0]).toHaveLength(8);
    expect(upstream.requests[0]?.path).toBe('/openai/deployments/my-embedding-deployment/embeddings');
  });

  it("lists the resource's models with the api-key header and api-version", async () => {
    const models = await adapter.listModels!({ signal: signal() });
    expect(models.map((model) => model.id)).toEqual(['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']);
    expect(models[0]).toMatchObject({ ownedBy: 'mock', created: expect.any(Number) });
    const [recorded] = upstream.requests;
    expect(recorded).toMatchObject({ method: 'GET', path: '/openai/models', query: { 'api-version': '2024-10-21' } });
    expect(recorded?.headers['api-key']).toBe(apiKey);
  });

  it('maps a rejected key without leaking it', async () => {
    const wrongKey = 'azure-wrong-key-987654321';
    const wrong = createProvider(providerConfig({ name: 'azure-openai', kind: 'azure-openai', baseUrl: upstream.origin, apiKey: wrongKey }));
    const error = (await wrong.generate(request, { signal: signal() }).catch((caught: unknown) => caught)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'upstream_error', upstreamStatus: 401, retryable: false });
    expect(`${error.message} ${error.detail}`).not.toContain(wrongKey);
    const listing = (await wrong.listModels!({ signal: signal() }).catch((caught: unknown) => caught)) as ProviderError;
    expect(listing).toMatchObject({ code: 'upstream_error', upstreamStatus: 401, retryable: false });
    expect(`${listing.message} ${listing.detail}`).not.toContain(wrongKey);
  });
});
