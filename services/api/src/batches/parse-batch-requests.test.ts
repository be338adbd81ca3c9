import { describe, expect, it } from 'vitest';
import { loadConfig } from '@switchyard/config';
import { GatewayError, parseWebhookAllowList } from '@switchyard/core';
import { parseAnthropicBatchRequest } from './parse-anthropic-batch.ts';
import { parseOpenAiBatchRequest } from './parse-openai-batch.ts';

const options = { maxLines: 3, webhookAllow: parseWebhookAllowList([]) };

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('parseOpenAiBatchRequest', () => {
  it("keeps OpenAI's limit of 50,000 requests per batch by default (tests configure less)", () => {
    expect(loadConfig({ env: {} }).batches.maxLines).toBe(50_000);
  });

  it('takes a file batch as OpenAI does', () => {
    const parsed = parseOpenAiBatchRequest(
      { input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { team: 'a' } },
      options,
    );
    expect(parsed).toEqual({ endpoint: '/v1/chat/completions', completionWindow: '24h', metadata: { team: 'a' }, source: { fileId: 'file-1' } });
  });

  it('turns inline requests into raw lines, one per request, bad ones included', () => {
    const request = { custom_id: 'a', method: 'POST', url: '/v1/embeddings', body: { model: 'mock-embed', input: 'x' } };
    const parsed = parseOpenAiBatchRequest({ endpoint: '/v1/embeddings', requests: [request, 'not an object'], metadata: null }, options);
    expect(parsed).toEqual({ endpoint: '/v1/embeddings', completionWindow: '24h', source: { lines: [JSON.stringify(request), '"not an object"'] } });
  });

  it.each([
    [{ endpoint: '/v1/chat/completions', completion_window: '24h' }, 'input_file_id'],
    [{ input_file_id: 'f', endpoint: '/v1/chat/completions' }, 'completion_window'],
    [{ input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '48h' }, 'completion_window'],
    [{ input_file_id: 'f', endpoint: '/v1/responses', completion_window: '24h' }, 'endpoint'],
    [{ input_file_id: 'f', requests: [{}], endpoint: '/v1/chat/completions', completion_window: '24h' }, 'requests'],
    [{ requests: [], endpoint: '/v1/chat/completions' }, 'requests'],
    [{ requests: [{}, {}, {}, {}], endpoint: '/v1/chat/completions' }, 'requests'],
    [{ input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '24h', output_expires_after: {} }, 'output_expires_after'],
    [{ input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { k: 'x'.repeat(513) } }, 'metadata.k'],
  ])('refuses %j with a 400 naming %s', (body, param) => {
    const error = refusal(() => parseOpenAiBatchRequest(body, options));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it('refuses a metadata.webhook_url that could never be delivered to', () => {
    const body = { input_file_id: 'f', endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { webhook_url: 'http://127.0.0.1:9/hook' } };
    const error = refusal(() => parseOpenAiBatchRequest(body, options));
    expect(error.param).toBe('metadata.webhook_url');
    const allowed = parseOpenAiBatchRequest(body, { ...options, webhookAllow: parseWebhookAllowList(['127.0.0.1:9']) });
    expect(allowed.metadata).toEqual({ webhook_url: 'http://127.0.0.1:9/hook' });
  });
});

describe('parseAnthropicBatchRequest', () => {
  const params = { model: 'mock-fast', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] };

  it('turns each request into a /v1/messages line', () => {
    const { lines } = parseAnthropicBatchRequest({ requests: [{ custom_id: 'one', params }] }, options);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ custom_id: 'one', method: 'POST', url: '/v1/messages', body: params }]);
  });

  it.each([
    [{}, 'requests'],
    [{ requests: [] }, 'requests'],
    [{ requests: [{ custom_id: 'has space', params }] }, 'requests.0.custom_id'],
    [{ requests: [{ custom_id: 'a', params: 'x' }] }, 'requests.0.params'],
    [{ requests: [{ custom_id: 'a', params, extra: 1 }] }, 'extra'],
    [
      {
        requests: [
          { custom_id: 'a', params },
          { custom_id: 'a', params },
        ],
      },
      'requests.1.custom_id',
    ],
    [{ requests: Array.from({ length: 4 }, (_, index) => ({ custom_id: `c${index}`, params })) }, 'requests'],
  ])('refuses %j with a 400 naming %s', (body, param) => {
    const error = refusal(() => parseAnthropicBatchRequest(body, options));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});
