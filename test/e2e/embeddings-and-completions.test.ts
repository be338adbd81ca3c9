// POST /v1/embeddings and the legacy POST /v1/completions through the openai SDK, on the
// built-in mock and on the mock OpenAI upstream, and the 400s for models and providers
// that do not serve them.
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateInputTokens, expectedMockAnswer, mockEmbedding } from '@switchyard/testing';
import { useGateway } from '../support/use-gateway.ts';

const openAIKey = 'sk-openai-upstream-secret-0123456789';

const gateway = useGateway({
  upstreams: { openai: { kind: 'openai', apiKey: openAIKey } },
  overrides: ({ openai }) => ({
    providers: {
      openai: { apiKey: openAIKey, baseUrl: openai.url, attempts: 1 },
      perplexity: { apiKey: 'pplx-upstream-key-0123456789', baseUrl: openai.url, attempts: 1 },
    },
    models: {
      // Misconfigured on purpose: the perplexity preset serves neither endpoint.
      'sonar-embeddings': { provider: 'perplexity', upstreamModel: 'sonar', capabilities: { embeddings: true } },
      'sonar-completions': { provider: 'perplexity', upstreamModel: 'sonar', capabilities: { completions: true } },
    },
  }),
});
const upstream = gateway.upstreams.openai;
const openai = gateway.openai;

afterEach(() => upstream.reset());

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

function expectVector(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  // float32 on the wire when the SDK asks for base64.
  for (const [index, value] of expected.entries()) expect(actual[index]).toBeCloseTo(value, 6);
}

async function rawEmbeddings(body: unknown) {
  const response = await fetch(`${gateway.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { data: { embedding: unknown }[] } };
}

describe('embeddings', () => {
  it('serves mock-embed on the built-in mock provider', async () => {
    const texts = ['the quick brown fox', 'jumps over the lazy dog'];
    const response = await openai.embeddings.create({ model: 'mock-embed', input: texts });
    expect(response.object).toBe('list');
    expect(response.model).toBe('mock-embed');
    expect(response.data.map((item) => item.index)).toEqual([0, 1]);
    expectVector(response.data[0]!.embedding, mockEmbedding(texts[0]!, 8));
    expectVector(response.data[1]!.embedding, mockEmbedding(texts[1]!, 8));
    expect(response.usage.prompt_tokens).toBe(estimateInputTokens([texts.join('')]));
  });

  it('answers floats or base64 as the client asks', async () => {
    const floats = await rawEmbeddings({ model: 'mock-embed', input: 'hello', encoding_format: 'float', dimensions: 4 });
    expect(floats.status).toBe(200);
    expect(floats.body.data[0]!.embedding).toEqual(mockEmbedding('hello', 4));
    const base64 = await rawEmbeddings({ model: 'mock-embed', input: 'hello', encoding_format: 'base64', dimensions: 4 });
    const encoded = base64.body.data[0]!.embedding as string;
    expect(typeof encoded).toBe('string');
    expectVector([...new Float32Array(new Uint8Array(Buffer.from(encoded, 'base64')).buffer)], mockEmbedding('hello', 4));
  });

  it('serves text-embedding-3-small from the OpenAI upstream, asking it for floats', async () => {
    const texts = ['first document', 'second document'];
    const response = await openai.embeddings.create({ model: 'text-embedding-3-small', input: texts, dimensions: 16 });
    const call = upstream.requests.at(-1)!;
    expect(call.path).toBe('/v1/embeddings');
    expect(call.headers.authorization).toBe(`Bearer ${openAIKey}`);
    expect(call.body).toEqual({ model: 'text-embedding-3-small', input: texts, encoding_format: 'float', dimensions: 16 });
    expect(response.model).toBe('text-embedding-3-small');
    expectVector(response.data[0]!.embedding, mockEmbedding(texts[0]!, 16));
    expectVector(response.data[1]!.embedding, mockEmbedding(texts[1]!, 16));
    expect(response.usage).toEqual({
      prompt_tokens: estimateInputTokens([texts[0]!]) + estimateInputTokens([texts[1]!]),
      total_tokens: estimateInputTokens([texts[0]!]) + estimateInputTokens([texts[1]!]),
    });
  });

  it('refuses embeddings on a chat model, and chat on an embedding model, with a clear 400', async () => {
    const embeddings = await failureOf(openai.embeddings.create({ model: 'gpt-4o', input: 'hello' }));
    expect(embeddings).toBeInstanceOf(OpenAI.BadRequestError);
    expect(embeddings).toMatchObject({ status: 400, type: 'invalid_request_error', param: 'model' });
    expect((embeddings as Error).message).toContain('model gpt-4o does not support embeddings');
    const chat = await failureOf(openai.chat.completions.create({ model: 'text-embedding-3-small', messages: [{ role: 'user', content: 'hi' }] }));
    expect(chat).toMatchObject({ status: 400, param: 'model' });
    expect((chat as Error).message).toContain('model text-embedding-3-small does not support chat');
    expect(upstream.requests).toHaveLength(0);
  });

  it('refuses embeddings with a 400 when the provider has no embeddings endpoint', async () => {
    const failure = await failureOf(openai.embeddings.create({ model: 'sonar-embeddings', input: 'hello' }));
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as Error).message).toContain('perplexity does not serve embeddings');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('legacy completions', () => {
  it('serves mock-fast, with length when cut by max_tokens', async () => {
    const completion = await openai.completions.create({ model: 'mock-fast', prompt: 'Say hi' });
    expect(completion.object).toBe('text_completion');
    expect(completion.model).toBe('mock-fast');
    expect(completion.choices[0]).toMatchObject({ index: 0, text: 'This is a mock response to: Say hi', finish_reason: 'stop' });
    expect(completion.usage).toMatchObject({ prompt_tokens: estimateInputTokens(['Say hi']), completion_tokens: 8 });

    const cut = await openai.completions.create({ model: 'mock-fast', prompt: 'Say hi', max_tokens: 2 });
    expect(cut.choices[0]).toMatchObject({ text: 'This is', finish_reason: 'length' });
  });

  it("serves gpt-3.5-turbo from the OpenAI upstream's /v1/completions", async () => {
    const prompt = 'Once upon a time';
    const completion = await openai.completions.create({ model: 'gpt-3.5-turbo', prompt, max_tokens: 50 });
    const call = upstream.requests.at(-1)!;
    expect(call.path).toBe('/v1/completions');
    expect(call.body).toMatchObject({ model: 'gpt-3.5-turbo', prompt, max_tokens: 50 });
    const expected = expectedMockAnswer([prompt], prompt);
    expect(completion.choices[0]).toMatchObject({ text: expected.text, finish_reason: 'stop' });
    expect(completion.usage).toMatchObject({ prompt_tokens: expected.inputTokens, completion_tokens: expected.outputTokens });
  });

  it('refuses completions on a model or provider that does not serve them with a clear 400', async () => {
    const model = await failureOf(openai.completions.create({ model: 'gpt-4o', prompt: 'hello' }));
    expect(model).toBeInstanceOf(OpenAI.BadRequestError);
    expect(model).toMatchObject({ status: 400, param: 'model' });
    expect((model as Error).message).toContain('model gpt-4o does not support the legacy completions endpoint');
    const provider = await failureOf(openai.completions.create({ model: 'sonar-completions', prompt: 'hello' }));
    expect(provider).toBeInstanceOf(OpenAI.BadRequestError);
    expect((provider as Error).message).toContain('perplexity does not serve completions');
    expect(upstream.requests).toHaveLength(0);
  });
});
