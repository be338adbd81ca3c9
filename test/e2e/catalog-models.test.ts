// The catalog as clients see it through the official SDKs: unknown names get a 404 that
// suggests the closest catalog models, dated provider ids and family names resolve, and a
// chat model refuses /v1/embeddings.
import type Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockAnthropicUpstream, type MockUpstream } from '@switchyard/testing';
import { startTestGateway, type TestGateway } from '../support/gateway.ts';
import { anthropicClient, openAIClient } from '../support/clients.ts';

const upstreamKey = 'sk-ant-upstream-secret-0123456789';

let upstream: MockUpstream;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  upstream = await startMockAnthropicUpstream({ apiKey: upstreamKey });
  gateway = await startTestGateway({ overrides: { providers: { anthropic: { apiKey: upstreamKey, baseUrl: upstream.url, attempts: 1 } } } });
  openai = openAIClient(gateway);
  anthropic = anthropicClient(gateway);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

const messages = [{ role: 'user' as const, content: 'hello' }];

describe('unknown model names', () => {
  it('answer 404 model_not_found with the closest catalog names', async () => {
    const failure = await openai.chat.completions.create({ model: 'grok-beta', messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    const error = failure as InstanceType<typeof OpenAI.NotFoundError>;
    expect(error.code).toBe('model_not_found');
    expect(error.param).toBe('model');
    expect(error.message).toContain('The model `grok-beta` does not exist or you do not have access to it. Did you mean `grok-3`, `grok-4`, `grok-3-mini`?');

    const sonar = await openai.chat.completions.create({ model: 'perplexity-sonar-large', messages }).catch((caught: unknown) => caught);
    expect((sonar as Error).message).toContain('Did you mean `sonar-pro`, `sonar`?');
  });

  it('are suggested for by models.retrieve too', async () => {
    const failure = await openai.models.retrieve('grok-beta').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failure as Error).message).toContain('Did you mean `grok-3`');
  });

  it('suggest nothing when nothing is close', async () => {
    const failure = await openai.embeddings.create({ model: 'qqqqqqqqqq', input: 'x' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
    expect((failure as Error).message).not.toContain('Did you mean');
  });
});

describe('names that resolve', () => {
  it('takes a dated provider id for its catalog model', async () => {
    const message = await anthropic.messages.create({ model: 'claude-opus-4-20250514', max_tokens: 32, messages });
    expect(message.model).toBe('claude-opus-4');
    expect((upstream.requests.at(-1)!.body as { model: string }).model).toBe('claude-opus-4-20250514');
  });

  it('sends the family name claude to the current Sonnet', async () => {
    const { response } = await openai.chat.completions.create({ model: 'claude', messages }).withResponse();
    expect(response.headers.get('x-switchyard-model')).toBe('claude-sonnet-5-5');
    expect((upstream.requests.at(-1)!.body as { model: string }).model).toBe('claude-sonnet-5-5');
  });
});

describe('capabilities of the mock models', () => {
  it('refuses embeddings from the chat model mock-fast with a 400', async () => {
    const failure = await openai.embeddings.create({ model: 'mock-fast', input: 'hello' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('model mock-fast does not support embeddings');
    expect((failure as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
  });

  it('serves embeddings from mock-embed and refuses chat on it', async () => {
    const embeddings = await openai.embeddings.create({ model: 'mock-embed', input: 'hello' });
    expect(embeddings.data).toHaveLength(1);
    const failure = await openai.chat.completions.create({ model: 'mock-embed', messages }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('model mock-embed does not support chat');
  });
});
